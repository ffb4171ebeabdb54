FROM golang:1.22 AS build
ARG TARGET=app
WORKDIR /src
COPY . .
RUN go build -o /out/$TARGET .

FROM gcr.io/distroless/static-debian12
COPY --from=build /out/app /app
ENTRYPOINT ["/app"]
