# syntax=docker/dockerfile:1
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build -o /out/server ./cmd/server

FROM debian:bookworm-slim
RUN useradd --system svc
COPY --from=build /out /svc
RUN chown -R svc:svc /svc && chmod -R 750 /svc
USER svc
ENTRYPOINT ["/svc/server"]
