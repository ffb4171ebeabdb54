# syntax=docker/dockerfile:1
FROM ubuntu:22.04
WORKDIR /app
COPY . .
RUN --mount=type=cache,target=/var/cache/apt apt-get update && apt-get install -y ffmpeg
CMD ["./run.sh"]
