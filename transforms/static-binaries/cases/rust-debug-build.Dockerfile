FROM rust:1.77 AS build
WORKDIR /src
COPY . .
RUN cargo build

FROM debian:bookworm-slim
COPY --from=build /src/target/debug/app /app
ENTRYPOINT ["/app"]
