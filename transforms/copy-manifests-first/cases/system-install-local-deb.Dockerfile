FROM debian:bookworm
WORKDIR /app
COPY . .
RUN apt-get update && apt-get install -y ./vendor/tool.deb
CMD ["tool"]
