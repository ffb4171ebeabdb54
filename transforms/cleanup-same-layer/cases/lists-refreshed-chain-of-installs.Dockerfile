# Three installs after one update: each pass moves the lists one RUN on.
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
WORKDIR /app
RUN apt-get install -y git
LABEL stage=tools
RUN apt-get install -y make
