FROM debian:bookworm AS base
RUN apt-get update && apt-get install -y curl
FROM base AS dev
RUN apt-cache policy git
