# Issue 12 item 12: `apk upgrade` downloads packages like `apk add` and
# takes the same --no-cache; then `apk update` before it is useless.
FROM alpine:3.19
RUN apk upgrade && apk add curl
FROM alpine:3.19 AS refreshed
RUN apk update && apk upgrade
