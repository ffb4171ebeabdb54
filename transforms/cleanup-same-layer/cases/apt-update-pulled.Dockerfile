FROM debian:bookworm
RUN apt-get update -qq
ENV LANG=C.UTF-8
RUN apt-get install -y curl
