FROM debian:bookworm
WORKDIR /app
COPY . .
RUN apt-get update && apt-get install -y curl && ./install.sh
CMD ["/app/run"]
