FROM alpine:3.20
RUN apk add curl ca-certificates
RUN apk add --virtual .build-deps gcc musl-dev
