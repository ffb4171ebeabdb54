# issue 8 B: state changes hidden in expansions and command prefixes.
FROM debian:bookworm-slim
RUN : "${MODE:=debug}"
RUN echo "mode=$MODE" > /mode

FROM debian:bookworm-slim AS not-read-later
RUN : "${MODE:=debug}"
RUN echo $((COUNT=1)) > /count
RUN mkdir /w && command cd /w
RUN command export A=1
RUN builtin cd /
RUN MODE=debug :
RUN for f in a b; do touch "/$f"; done
RUN pwd > /where

FROM debian:bookworm-slim AS bash-only
SHELL ["/bin/bash", "-c"]
RUN printf -v STAMP '%s' now
RUN let N=1
RUN declare -g D=1
RUN echo "$STAMP $N $D" > /vars
