# Files in a cache mount are not in the layer: nothing to move.
FROM debian:bookworm
RUN --mount=type=cache,target=/root/.cache/downloads curl -fsSLo /root/.cache/downloads/x.tgz https://example.com/x.tgz && tar -xzf /root/.cache/downloads/x.tgz -C /opt
ENV A=1
RUN rm -rf /root/.cache/downloads/x.tgz
