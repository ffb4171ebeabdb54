# The reader has flags: with --network=none an added update would fail,
# and a cache mount changes where the lists are (skipped).
FROM debian:bookworm
RUN apt-get update && apt-get install -y curl
RUN --network=none apt-get install -y git
FROM debian:bookworm AS second
RUN apt-get update && apt-get install -y curl
RUN --mount=type=cache,target=/var/cache/apt apt-get install -y git
