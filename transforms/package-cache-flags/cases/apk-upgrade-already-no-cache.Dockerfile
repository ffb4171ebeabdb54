# Already without a cache, or with the cache in a mount: nothing to do.
FROM alpine:3.19
RUN apk upgrade --no-cache
RUN --mount=type=cache,target=/var/cache/apk apk upgrade --available
