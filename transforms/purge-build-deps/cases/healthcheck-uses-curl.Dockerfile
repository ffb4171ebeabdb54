FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends build-essential curl ca-certificates && curl -fsSL https://example.com/src.tar.gz | tar -xz -C /usr/src && make -C /usr/src/app install && rm -rf /var/lib/apt/lists/*
HEALTHCHECK CMD curl -fs http://localhost:8080/health || exit 1
CMD ["app"]
