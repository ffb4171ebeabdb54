FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends build-essential ca-certificates curl \
    && curl -fsSLo /tmp/redis.tar.gz https://download.redis.io/releases/redis-7.2.4.tar.gz \
    && tar -xzf /tmp/redis.tar.gz -C /usr/src \
    && make -C /usr/src/redis-7.2.4 install \
    && rm -rf /tmp/redis.tar.gz /usr/src/redis-7.2.4 /var/lib/apt/lists/*
CMD ["redis-server"]
