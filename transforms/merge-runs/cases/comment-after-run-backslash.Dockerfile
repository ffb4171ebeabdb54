FROM debian:bookworm-slim
RUN echo a
RUN \
    # keep: pinned for CVE-2024-0001
    echo b
