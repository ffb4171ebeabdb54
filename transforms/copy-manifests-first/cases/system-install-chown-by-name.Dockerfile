FROM debian:bookworm
WORKDIR /app
COPY --chown=postgres:postgres . /app
RUN apt-get update && apt-get install -y postgresql
USER postgres
CMD ["/app/start"]
