# `apk update` leaves an index; it is removed only when nothing later reads
# it without fetching its own.
FROM alpine:3.19 AS exec-form
RUN apk update && apk add --no-cache curl
RUN ["apk", "add", "git"]

FROM alpine:3.19 AS onbuild
RUN apk update && apk add --no-cache curl
ONBUILD RUN apk add git

FROM alpine:3.19 AS script
RUN apk update && apk add --no-cache curl
RUN ./install-tools.sh

FROM alpine:3.19 AS wrapped
RUN apk update && apk add --no-cache curl
RUN sh -c "apk add git"

FROM alpine:3.19 AS no-cache-later
RUN apk update && apk add --no-cache curl
RUN apk add --no-cache git

FROM alpine:3.19 AS updates-later
RUN apk update && apk add --no-cache curl
RUN apk add -U git
