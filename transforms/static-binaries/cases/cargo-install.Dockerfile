FROM rust:1.77 AS tools
RUN cargo install ripgrep --version 14.1.0 --locked

FROM debian:bookworm-slim
COPY --from=tools /usr/local/cargo/bin/rg /usr/local/bin/rg
ENTRYPOINT ["rg"]
