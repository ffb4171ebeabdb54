# A clone built in /tmp, removed later with everything else in /tmp: the
# clone is removed where it was made; the later RUN stays (it may remove
# more).
FROM debian:bookworm
RUN git clone --depth 1 https://github.com/example/lib.git /tmp/lib && cd /tmp/lib && make install
LABEL maintainer=ops
RUN rm -rf /tmp/*
