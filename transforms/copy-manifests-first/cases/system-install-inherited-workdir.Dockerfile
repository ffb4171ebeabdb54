FROM debian:bookworm
COPY . app
RUN apt-get update && apt-get install -y ffmpeg
CMD ["app/start"]
