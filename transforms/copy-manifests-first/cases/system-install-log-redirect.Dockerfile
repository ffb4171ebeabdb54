FROM debian:bookworm
WORKDIR /app
COPY . .
RUN apt-get update && apt-get install -y ffmpeg > /app/install.log
CMD ["/app/start"]
