# issue 8 B: dash and bash remember where they found a program. Merged, a
# program installed earlier on PATH by an earlier RUN would not be seen.
FROM python:3.12-slim
RUN pip --version && pip install -U pip
RUN pip install flask

FROM node:20-slim AS npm
RUN npm --version && npm install -g npm@10
RUN npm ci

FROM debian:bookworm-slim AS script
RUN tool --version; ./install-tool.sh
RUN tool build

FROM alpine:3.19 AS busybox
RUN tar --version; apk add --no-cache tar
RUN tar -xf /a.tar --strip-components=1

FROM debian:bookworm-slim AS package-managers
RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*
RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*
RUN (tool --version); curl -fsSL -o /usr/local/bin/tool https://example.com/tool
RUN tool build
