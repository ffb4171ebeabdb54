FROM debian:bookworm-slim
# The archive is used again later.
ADD https://example.com/a.tar.gz /tmp/
RUN tar -xzf /tmp/a.tar.gz -C /opt
COPY --from=0 /tmp/a.tar.gz /backup/

FROM debian:bookworm-slim AS checksum
ADD --checksum=sha256:24454f830cdb571e2c4ad15481119c43b3cafd48dd869a9b2945d1036d1dc68d https://example.com/b.tar.gz /tmp/
RUN tar -xzf /tmp/b.tar.gz -C /opt

FROM debian:bookworm-slim AS not-unpacked
ADD https://example.com/c.bin /usr/local/bin/c

FROM debian:bookworm-slim AS other-directory
ADD https://example.com/d.tar.gz /srv/downloads/
RUN tar -xzf /srv/downloads/d.tar.gz -C /opt

FROM debian:bookworm-slim AS or-list
RUN apt-get update && apt-get install -y curl
ADD https://example.com/e.tar.gz /tmp/
RUN tar -xzf /tmp/e.tar.gz -C /opt || echo failed
