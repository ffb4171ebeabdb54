FROM scratch AS rootfs
ADD bookworm-minbase.tar.xz /
RUN apt-get update && apt-get install -y --no-install-recommends curl

FROM registry.internal/platform/base:12 AS private
RUN apt-get update && apt-get install -y --no-install-recommends git

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends jq
COPY --from=rootfs /usr/bin/curl /usr/local/bin/curl
COPY --from=private /usr/bin/git /usr/local/bin/git
