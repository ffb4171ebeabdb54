FROM debian:bookworm
RUN echo 'APT::Install-Recommends "false";' > /etc/apt/apt.conf.d/99norecommends
RUN apt-get update && apt-get install -y curl
RUN apt-get -o APT::Install-Recommends=0 install -y git
