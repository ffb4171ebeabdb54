FROM debian:bookworm
WORKDIR /src
COPY . .
RUN apt-get update && apt-get install -y gcc make
RUN apt-get install -y libssl-dev && rm -rf /var/lib/apt/lists/*
RUN make
CMD ["/src/server"]
