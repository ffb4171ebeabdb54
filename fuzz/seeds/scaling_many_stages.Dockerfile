FROM alpine:3.19 AS base
RUN apk update
FROM base AS s0
RUN apk add --virtual .b0 gcc && rm -rf /var/cache/apk/*
ONBUILD RUN apk add curl-0
RUN apt-get update && apt-get install -y p0
COPY --from=s0 /x /y
FROM s0 AS s1
RUN apk add --virtual .b1 gcc && rm -rf /var/cache/apk/*
USER u1
RUN apt-get update && apt-get install -y p1
COPY --from=s0 /x /y
FROM s1 AS s2
RUN apk add --virtual .b2 gcc && rm -rf /var/cache/apk/*
USER u2
RUN apt-get update && apt-get install -y p2
COPY --from=s0 /x /y
FROM base AS s3
RUN apk add --virtual .b3 gcc && rm -rf /var/cache/apk/*
USER u3
RUN apt-get update && apt-get install -y p3
COPY --from=s1 /x /y
FROM s3 AS s4
RUN apk add --virtual .b4 gcc && rm -rf /var/cache/apk/*
ONBUILD RUN apk add curl-4
RUN apt-get update && apt-get install -y p4
COPY --from=s2 /x /y
FROM s4 AS s5
RUN apk add --virtual .b5 gcc && rm -rf /var/cache/apk/*
USER u5
RUN apt-get update && apt-get install -y p5
COPY --from=s3 /x /y
FROM base AS s6
RUN apk add --virtual .b6 gcc && rm -rf /var/cache/apk/*
USER u6
RUN apt-get update && apt-get install -y p6
COPY --from=s4 /x /y
FROM s6 AS s7
RUN apk add --virtual .b7 gcc && rm -rf /var/cache/apk/*
USER u7
RUN apt-get update && apt-get install -y p7
COPY --from=s5 /x /y
FROM s7 AS s8
RUN apk add --virtual .b8 gcc && rm -rf /var/cache/apk/*
ONBUILD RUN apk add curl-8
RUN apt-get update && apt-get install -y p8
COPY --from=s6 /x /y
FROM base AS s9
RUN apk add --virtual .b9 gcc && rm -rf /var/cache/apk/*
USER u9
RUN apt-get update && apt-get install -y p9
COPY --from=s7 /x /y
FROM s9 AS s10
RUN apk add --virtual .b10 gcc && rm -rf /var/cache/apk/*
USER u10
RUN apt-get update && apt-get install -y p10
COPY --from=s8 /x /y
FROM s10 AS s11
RUN apk add --virtual .b11 gcc && rm -rf /var/cache/apk/*
USER u11
RUN apt-get update && apt-get install -y p11
COPY --from=s9 /x /y
