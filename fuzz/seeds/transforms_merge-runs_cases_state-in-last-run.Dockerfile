FROM alpine:3.20
RUN apk add --no-cache make
RUN cd /src && make install
