# issue 8 B: a SHELL with -e makes every `;` list rely on errexit.
FROM debian:bookworm-slim
SHELL ["/bin/sh", "-e", "-c"]
RUN mkdir -p /x; false; echo after > /y
RUN echo z > /z

FROM debian:bookworm-slim AS pipefail
SHELL ["/bin/bash", "-eo", "pipefail", "-c"]
RUN apt-get update && apt-get install -y curl
RUN curl -fsSL https://example.com/key | gpg --dearmor -o /k.gpg
RUN cd /tmp; make; make install

FROM debian:bookworm-slim AS errexit-word
SHELL ["/bin/bash", "-o", "errexit", "-c"]
RUN mkdir -p /x; touch /x/a
RUN touch /x/b

# A stage built FROM another keeps its SHELL, -e included.
FROM debian:bookworm-slim AS strict
SHELL ["/bin/sh", "-e", "-c"]

FROM strict
RUN mkdir -p /x; touch /x/a
RUN touch /x/b
