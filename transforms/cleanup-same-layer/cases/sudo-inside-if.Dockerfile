FROM debian:bookworm
USER dev
RUN if [ "$(uname -m)" = x86_64 ]; then sudo apt-get update && sudo apt-get install -y curl; fi
