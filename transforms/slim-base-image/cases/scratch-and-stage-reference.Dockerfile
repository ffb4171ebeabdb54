FROM golang:1.22-alpine AS build
RUN go build -o /out/app .
FROM build AS test
RUN go test ./...
FROM scratch
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
