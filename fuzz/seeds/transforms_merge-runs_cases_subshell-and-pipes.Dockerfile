FROM alpine:3.20
RUN (cd /tmp && wget -q https://example.com/x.tgz) | cat
RUN cat /etc/os-release | grep -i alpine
RUN ! false
