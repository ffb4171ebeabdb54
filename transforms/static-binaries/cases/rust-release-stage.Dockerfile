FROM rust:1.77 AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked

FROM gcr.io/distroless/cc-debian12
COPY --from=build /src/target/release/app /app
ENTRYPOINT ["/app"]
