# Left alone: a builder copied from by path (its cache never ships), a
# stage that sets GOCACHE, a cache mount, and an image that runs `go run`
# when it starts (the cache makes that start fast).
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/app .
FROM golang:1.22 AS gocache
ENV GOCACHE=/cache/go
RUN go build -o /usr/local/bin/app .
FROM golang:1.22 AS mounted
RUN --mount=type=cache,target=/root/.cache/go-build go build -o /usr/local/bin/app .
FROM golang:1.22 AS runs-go
COPY . /src
RUN cd /src && go build ./...
CMD ["go", "run", "/src/main.go"]
FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
COPY --from=gocache /usr/local/bin/app /app2
COPY --from=mounted /usr/local/bin/app /app3
