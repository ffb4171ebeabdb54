# Under ONBUILD, `apk add` gets --no-cache, but `apk update` stays: what
# reads its index is the child's own steps.
FROM alpine:3.19
ONBUILD RUN apk update && apk add git
