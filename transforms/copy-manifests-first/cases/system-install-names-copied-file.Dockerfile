FROM debian:bookworm
WORKDIR /app
COPY . .
RUN apt-get -o Dir::Etc::SourceList=/app/sources.list update && apt-get install -y ffmpeg
CMD ["/app/start"]
