# A later `apk search` reads the index `apk update` left: the update stays
# (the upgrade still gets --no-cache).
FROM alpine:3.19
RUN apk update && apk upgrade
RUN apk search curl
