FROM ubuntu:22.04
USER builder
RUN sudo apt update && sudo apt install -y git
