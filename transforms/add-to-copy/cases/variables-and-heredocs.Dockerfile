# syntax=docker/dockerfile:1
FROM alpine:3.20
ARG BUNDLE=app.tar
ADD $BUNDLE /opt/
ADD ${BUNDLE%.tar}.txt /opt/
ADD <<EOF /etc/motd
hello
EOF
