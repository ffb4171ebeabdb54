# An exec-form reader cannot get an update prepended; a reader through
# sudo under a non-root USER neither (both skipped).
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
RUN ["apt-get", "install", "-y", "git"]
FROM debian:bookworm AS second
RUN apt-get update && apt-get install -y curl sudo
RUN useradd app && echo "app ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/app
RUN sudo apt-get install -y git
