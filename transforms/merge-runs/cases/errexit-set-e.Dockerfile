# issue 8 B: POSIX ignores set -e left of `&&`, so a RUN that relies on it
# may only be the last part of a merged RUN.
FROM alpine:3.19
RUN set -e; echo "00  /etc/hostname" | sha256sum -c -; echo unverified > /proof
RUN echo done

FROM alpine:3.19 AS variants
RUN set -eux; make
RUN echo after-set-eux
RUN set -o errexit; make; make install
RUN echo after-errexit
RUN (set -e; false; echo unverified > /proof)
RUN echo after-subshell
RUN { set -e; false; echo unverified > /proof; }
RUN echo after-group
RUN command set -e; make
RUN echo after-command-set

FROM alpine:3.19 AS last-is-fine
RUN apk add --no-cache make
RUN set -eux; make; make install

FROM alpine:3.19 AS cannot-matter
RUN set -e && make
RUN echo one chain of simple commands stops at its first failure either way

# RUNs that all start with the same errexit `set` are chained: after the
# first `set -eux`, each earlier RUN's rest runs as a subshell of its own,
# which errexit covers, and a failing one stops the build.
FROM debian:bookworm-slim AS chained
RUN set -eux; \
    apt-get update; \
    apt-get install -y --no-install-recommends ca-certificates; \
    rm -rf /var/lib/apt/lists/*
# fetch and verify
RUN set -eux; \
    cd /tmp; \
    echo "00  /etc/hostname" | sha256sum -c -
RUN set -eux; make; make install
RUN set -eu; echo "different options: not chained"
