# An Alpine builder whose binary alone is copied out: no --no-cache, and
# its `apk update` stays (skipped). The runtime stage's install gets it.
FROM alpine:3.19 AS build
RUN apk update && apk add build-base
RUN make -C /src && cp /src/app /out/app
FROM alpine:3.19
RUN apk add ca-certificates
COPY --from=build /out/app /usr/local/bin/app
