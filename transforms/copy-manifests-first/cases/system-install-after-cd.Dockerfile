FROM debian:bookworm
WORKDIR /app
COPY . .
RUN cd /tmp && apt-get update && apt-get install -y ffmpeg
CMD ["/app/start"]
