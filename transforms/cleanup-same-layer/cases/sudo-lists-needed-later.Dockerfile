FROM debian:bookworm
USER dev
RUN sudo apt-get update && sudo apt-get install -y curl
RUN sudo apt-get install -y git
