# Each stage installs curl, then installs git through something that runs
# apt-get: the lists must stay (the second RUN gets the cleanup instead).
FROM debian:bookworm-slim AS sh-c
RUN apt-get update && apt-get install -y curl
RUN sh -c "apt-get install -y git"

FROM debian:bookworm-slim AS bash-c
RUN apt-get update && apt-get install -y curl
RUN bash -ec 'apt-get install -y git'

FROM debian:bookworm-slim AS xargs
RUN apt-get update && apt-get install -y curl
RUN echo git | xargs apt-get install -y

FROM debian:bookworm-slim AS env
RUN apt-get update && apt-get install -y curl
RUN env DEBIAN_FRONTEND=noninteractive apt-get install -y git

FROM debian:bookworm-slim AS nice-timeout
RUN apt-get update && apt-get install -y curl
RUN nice -n 5 timeout 600 apt-get install -y git

FROM debian:bookworm-slim AS exec-form
RUN apt-get update && apt-get install -y curl
RUN ["apt-get", "install", "-y", "git"]

FROM debian:bookworm-slim AS exec-form-shell
RUN apt-get update && apt-get install -y curl
RUN ["/bin/sh", "-c", "apt-get install -y git"]

FROM debian:bookworm-slim AS find-exec
RUN apt-get update && apt-get install -y curl
RUN find /debs -name '*.deb' -exec apt-get install -y {} +
