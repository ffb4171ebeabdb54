FROM debian:bookworm AS base
RUN apt-get update && apt-get install -y ca-certificates
FROM base AS refreshes
RUN apt-get update && apt-get install -y curl
FROM base AS relies
RUN apt-get install -y git
