FROM debian:bookworm
WORKDIR /app
COPY --chown=1000:1000 . /app
RUN apt-get update && apt-get install -y ffmpeg
USER 1000
CMD ["/app/start"]
