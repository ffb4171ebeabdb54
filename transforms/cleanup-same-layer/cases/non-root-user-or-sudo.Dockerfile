FROM debian:bookworm AS base
RUN useradd -m app && apt-get update && apt-get install -y sudo
USER app
RUN sudo apt-get update && sudo apt-get install -y curl
FROM base AS tools
USER root
RUN apt-get update && apt-get install -y jq
