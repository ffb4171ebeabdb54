# Stand-in for rust:1.63 with Debian's rustc and cargo (1.63) on buildpack-deps.
FROM buildpack-deps:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends rustc cargo \
 && rm -rf /var/lib/apt/lists/* \
 && rustc --version | grep -q '^rustc 1\.63\.'
ENV CARGO_NET_RETRY=5
