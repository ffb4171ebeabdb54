FROM alpine:3.20
ONBUILD ADD . /app/
