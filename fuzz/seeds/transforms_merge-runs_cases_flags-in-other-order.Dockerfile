# syntax=docker/dockerfile:1
FROM alpine:3.20
RUN --network=host --mount=type=secret,id=token wget -q https://example.com/a
RUN --mount=type=secret,id=token --network=host wget -q https://example.com/b
