FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates && rm -rf /var/lib/apt/lists/*
ADD https://example.com/releases/tool-1.2.3-linux-amd64.tar.gz /tmp/
RUN tar -xzf /tmp/tool-1.2.3-linux-amd64.tar.gz -C /usr/local/bin && \
    rm /tmp/tool-1.2.3-linux-amd64.tar.gz

FROM alpine:3.20 AS with-wget
RUN apk add --no-cache wget
WORKDIR /opt
ADD https://example.com/dist/app.tar.xz app.tar.xz
ENV APP_HOME=/opt/app
RUN tar -xJf app.tar.xz
