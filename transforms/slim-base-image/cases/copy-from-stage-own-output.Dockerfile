FROM debian:bookworm AS fetch
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
 && curl -fsSLo /opt/tini https://example.com/tini && chmod +x /opt/tini
FROM debian:bookworm
COPY --from=fetch /opt/tini /opt/tini
ENTRYPOINT ["/opt/tini", "--"]
CMD ["sleep", "infinity"]
