FROM golang:1.22 AS build
RUN go env
RUN go version
FROM alpine:3.20
RUN echo runtime
RUN echo more
