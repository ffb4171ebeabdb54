# A later RUN that only cleans up is folded into the installing RUN: what it
# did comes along (`apt-get clean` is moved, not lost).
FROM debian:bookworm-slim AS clean
RUN apt-get update && apt-get install -y curl
RUN apt-get clean

FROM debian:bookworm-slim AS clean-and-lists
RUN apt-get update && apt-get install -y curl
RUN apt-get clean && rm -rf /var/lib/apt/lists/* /var/cache/apt/archives/*.deb

FROM debian:bookworm-slim AS semicolons
RUN apt-get update && apt-get install -y curl
RUN apt-get clean; rm -rf /var/lib/apt/lists/*

FROM debian:bookworm-slim AS redirected
RUN apt-get update && apt-get install -y curl
RUN apt-get clean > /dev/null
