# `apt-get update` is not pulled into the installing RUN past anything that
# changes what it fetches: sources, keys, certificates, proxies, the user.
FROM debian:bookworm-slim AS sources
RUN apt-get update
COPY sources.list /etc/apt/sources.list
RUN apt-get install -y curl

FROM debian:bookworm-slim AS sources-dir
RUN apt-get update
COPY extra.list /etc/apt/sources.list.d/
RUN apt-get install -y curl

FROM debian:bookworm-slim AS rootfs
RUN apt-get update
COPY rootfs/ /
RUN apt-get install -y curl

FROM debian:bookworm-slim AS keyring
RUN apt-get update
ADD https://example.com/key.gpg /usr/share/keyrings/example.gpg
RUN apt-get install -y curl

FROM debian:bookworm-slim AS proxy
RUN apt-get update
ENV http_proxy=http://proxy:3128
RUN apt-get install -y curl

FROM debian:bookworm-slim AS proxy-arg
RUN apt-get update
ARG HTTPS_PROXY
RUN apt-get install -y curl

FROM debian:bookworm-slim AS apt-config
RUN apt-get update
ENV APT_CONFIG=/etc/apt-custom.conf
RUN apt-get install -y curl

FROM debian:bookworm-slim AS used-by-update
ARG RETRIES=3
RUN apt-get update -o Acquire::Retries=$RETRIES
ARG RETRIES=5
RUN apt-get install -y curl

FROM debian:bookworm-slim AS repo-added
RUN apt-get update
RUN echo "deb http://deb.example.com/ bookworm main" > /etc/apt/sources.list.d/example.list
RUN apt-get install -y curl

FROM debian:bookworm-slim AS key-added
RUN apt-get update
RUN curl -fsSL https://example.com/key | gpg --dearmor -o /usr/share/keyrings/example.gpg
RUN apt-get install -y curl

FROM debian:bookworm-slim AS script
RUN apt-get update
RUN ./configure-mirrors.sh
RUN apt-get install -y curl

FROM debian:bookworm-slim AS user
RUN apt-get update
USER builder
RUN apt-get install -y curl

FROM debian:bookworm-slim AS harmless
RUN apt-get update
ENV LANG=C.UTF-8
WORKDIR /app
COPY app.py .
RUN mkdir -p /app/data
RUN apt-get install -y curl
