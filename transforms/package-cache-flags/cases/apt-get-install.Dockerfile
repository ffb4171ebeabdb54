FROM debian:bookworm
RUN apt-get update && apt-get install curl git
RUN apt-get install -qy wget
RUN apt install -y --no-install-recommends jq
