FROM alpine:3.20 AS fetch
RUN wget -O /tmp/app.tar.gz https://example.com/app.tar.gz && tar -xzf /tmp/app.tar.gz -C /opt
FROM alpine:3.20
COPY --from=fetch /tmp/app.tar.gz /srv/
