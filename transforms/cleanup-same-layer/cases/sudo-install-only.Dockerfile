FROM debian:bookworm
USER dev
RUN sudo apt-get install -y curl
