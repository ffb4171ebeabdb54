FROM debian:bookworm
USER dev
# sudo with a user option: dockfix does not read which user apt runs as,
# and leaves the RUN alone.
RUN sudo -u root apt-get update && sudo -u root apt-get install -y curl
