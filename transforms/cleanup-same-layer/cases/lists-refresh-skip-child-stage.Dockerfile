# The reader is in a stage built FROM this one (skipped), and in an
# ONBUILD of another (skipped).
FROM debian:bookworm AS base
RUN apt-get update && apt-get install -y curl
FROM base AS tools
RUN apt-get install -y git
FROM debian:bookworm AS template
RUN apt-get update && apt-get install -y curl
ONBUILD RUN apt-get install -y git
