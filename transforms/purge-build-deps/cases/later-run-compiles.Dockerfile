FROM debian:bookworm-slim
WORKDIR /src
RUN apt-get update && apt-get install -y --no-install-recommends gcc make libc6-dev git && git clone --depth 1 https://github.com/example/tool.git . && make install
COPY plugins/ plugins/
RUN make -C plugins install
CMD ["tool"]
