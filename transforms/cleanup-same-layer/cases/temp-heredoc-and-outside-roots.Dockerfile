# A heredoc RUN makes the file (the rm goes on its last line); a download
# outside the temporary directories is left to the archive rule.
FROM debian:bookworm
RUN <<EOF
set -e
curl -fsSLo /var/tmp/seed.sql https://example.com/seed.sql
psql -f /var/tmp/seed.sql || true
EOF
WORKDIR /srv
RUN rm -f /var/tmp/seed.sql
FROM debian:bookworm AS outside
RUN curl -fsSLo /opt/setup.sh https://example.com/setup.sh && sh /opt/setup.sh
ENV A=1
RUN rm /opt/setup.sh
