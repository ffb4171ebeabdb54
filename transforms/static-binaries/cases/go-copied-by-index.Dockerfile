FROM golang:1.22
WORKDIR /src
COPY . .
RUN go mod download && CGO_ENABLED=0 go build -o /out/app ./cmd/app

FROM scratch
COPY --from=0 /out/app /app
ENTRYPOINT ["/app"]
