# A build tree under /usr/src and its archive, both removed in a later RUN.
FROM debian:bookworm
RUN mkdir -p /usr/src/redis \
    && curl -fsSLo /usr/src/redis.tar.gz https://download.example.com/redis.tar.gz \
    && tar -xzf /usr/src/redis.tar.gz -C /usr/src/redis --strip-components=1 \
    && make -C /usr/src/redis install
EXPOSE 6379
RUN rm -rf /usr/src/redis /usr/src/redis.tar.gz
