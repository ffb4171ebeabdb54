# syntax=docker/dockerfile:1
FROM alpine:3.20
RUN echo before
RUN <<EOF
echo inside a heredoc
EOF
RUN echo after
RUN echo last
