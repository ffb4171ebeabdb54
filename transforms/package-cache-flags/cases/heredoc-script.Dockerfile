# syntax=docker/dockerfile:1
FROM alpine:3.20
RUN <<EOF
apk add python3 py3-pip
pip install flask
EOF
