# The lists removal goes after the whole compound command.
FROM debian:bookworm-slim
RUN if [ "$TARGETARCH" = amd64 ]; then apt-get update && apt-get install -y libfoo; fi
RUN for p in curl git; do apt-get update && apt-get install -y "$p"; done > /install.log
RUN <<EOF
case "$TARGETARCH" in
  amd64) apt-get update && apt-get install -y libfoo ;;
esac
EOF
