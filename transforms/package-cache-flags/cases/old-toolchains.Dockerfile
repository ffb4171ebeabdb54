# Bases whose packaged tools predate the flag: it is not added there
# (old-toolchains.toml says why, with sources).
FROM ubuntu:14.04 AS trusty-pip
RUN apt-get update && apt-get install -y python-pip && pip install flask

FROM debian:jessie AS jessie-pip
RUN pip install requests

FROM ubuntu:trusty-20191217 AS trusty-gem
RUN gem install bundler

FROM centos:6 AS centos6-gem
RUN gem install rake

FROM alpine:3.2 AS old-alpine
RUN apk add curl

FROM old-alpine AS built-on-old-alpine
RUN apk add git

FROM ubuntu:16.04 AS xenial-pip
RUN pip install flask

FROM alpine:3.3 AS alpine-3-3
RUN apk add curl
