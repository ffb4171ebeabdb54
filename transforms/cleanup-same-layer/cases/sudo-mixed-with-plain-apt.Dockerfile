FROM debian:bookworm
USER dev
RUN sudo apt-get update && apt-get install -y curl
