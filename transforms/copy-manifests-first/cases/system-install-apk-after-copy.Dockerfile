FROM alpine:3.19
WORKDIR /srv/app
COPY . .
RUN apk add --no-cache ffmpeg
ENV MODE=production
RUN apk add --no-cache tini
CMD ["/srv/app/run"]
