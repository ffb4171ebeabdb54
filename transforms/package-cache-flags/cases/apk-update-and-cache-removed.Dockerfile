FROM alpine:3.20
RUN apk update && \
    apk add --update postgresql-libs && \
    rm -rf /var/cache/apk/*
