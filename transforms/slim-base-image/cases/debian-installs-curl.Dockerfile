FROM debian:bookworm
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl && rm -rf /var/lib/apt/lists/*
CMD ["curl", "--version"]
