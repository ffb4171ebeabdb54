FROM alpine:3.20
RUN ["apk", "add", "--no-cache", "curl"]
RUN echo one
RUN echo two
RUN ["echo", "three"]
