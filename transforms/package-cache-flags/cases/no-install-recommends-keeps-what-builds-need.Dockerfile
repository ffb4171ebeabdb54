# --no-install-recommends (unsafe) drops Recommends; the ones builds rely on
# are named explicitly (recommends.toml, from Debian's package metadata).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y curl git
RUN apt-get update && apt-get install -y gcc-12 make
RUN apt-get update && apt-get install -y cmake
RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u5 ca-certificates
RUN apt-get update && apt-get install -y python3-pip > /dev/null
RUN apt-get update && apt-get install -y jq
