# A later step runs something dockfix cannot read: it may install with apt,
# so removing the lists is only offered as an unsafe fix.
FROM debian:bookworm-slim AS script
COPY install-tools.sh /usr/local/bin/
RUN apt-get update && apt-get install -y curl
RUN install-tools.sh

FROM debian:bookworm-slim AS make
RUN apt-get update && apt-get install -y make
RUN make deps

FROM debian:bookworm-slim AS piped
RUN apt-get update && apt-get install -y curl
RUN curl -fsSL https://example.com/setup | sh

FROM debian:bookworm-slim AS variable
ARG INSTALL="apt-get install -y"
RUN apt-get update && apt-get install -y curl
RUN $INSTALL git

FROM debian:bookworm-slim AS later-update
RUN apt-get update && apt-get install -y curl
RUN apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/*
RUN ./anything.sh
