# A RUN between runs a script dockfix cannot read, which could use the
# files (skipped).
FROM debian:bookworm
RUN mkdir -p /tmp/work && curl -fsSLo /tmp/work/src.tgz https://example.com/src.tgz
RUN /usr/local/bin/build-everything
RUN rm -rf /tmp/work
