# The later removal is conditional: moving it would make it unconditional
# (skipped); a removal after a use in the same RUN neither moves.
FROM debian:bookworm
RUN curl -fsSLo /tmp/debug.tgz https://example.com/debug.tgz
RUN if [ -z "$KEEP_DEBUG" ]; then rm -f /tmp/debug.tgz; fi
FROM debian:bookworm AS used-then-removed
RUN curl -fsSLo /tmp/data.tgz https://example.com/data.tgz
ENV A=1
RUN tar -xzf /tmp/data.tgz -C /srv && rm /tmp/data.tgz
FROM debian:bookworm AS rm-without-force
RUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz && curl -fsSLo /tmp/b.tgz https://example.com/b.tgz && tar -xzf /tmp/b.tgz -C /opt && rm /tmp/b.tgz
ENV A=1
RUN rm /tmp/a.tgz /tmp/old.log
