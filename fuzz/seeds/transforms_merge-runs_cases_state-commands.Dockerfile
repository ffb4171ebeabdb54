FROM alpine:3.20
RUN set -eux
RUN . /etc/profile
RUN umask 077
RUN NAME=value
RUN echo "$NAME"
