# A clone built in /tmp and never removed: unsafe removal at the end of
# its RUN. Kept when an editable install points into it, or a later
# instruction names it.
FROM debian:bookworm
RUN git clone --depth 1 https://github.com/example/tool.git /tmp/tool && cd /tmp/tool && make && make install
FROM python:3.11 AS editable
RUN git clone https://github.com/example/lib.git /tmp/lib && pip install -e /tmp/lib
FROM debian:bookworm AS named-later
RUN git clone https://github.com/example/conf.git /tmp/conf
CMD ["cat", "/tmp/conf/settings.ini"]
