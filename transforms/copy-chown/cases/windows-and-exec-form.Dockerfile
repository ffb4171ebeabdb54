FROM mcr.microsoft.com/windows/servercore:ltsc2022
COPY . /app
RUN chown -R app /app

FROM debian:bookworm-slim
COPY . /app
RUN ["chown", "-R", "daemon:daemon", "/app"]
