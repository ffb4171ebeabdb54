FROM debian:bookworm-slim
RUN set -e; apt-get update; apt-get install -y gcc make; set +e; make -C /usr/src/app install; rm -rf /var/lib/apt/lists/*
CMD ["app"]
