FROM alpine:3.20
COPY scripts /scripts
RUN chmod -R 755 /scripts
