FROM debian:bookworm
USER dev
RUN sudo apt-get update \
 && sudo apt-get install -y --no-install-recommends curl \
 && sudo rm -rf /var/lib/apt/lists/*
