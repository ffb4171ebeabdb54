# Stand-in for buildpack-deps:bookworm, which the official python, node and
# golang images start FROM: the download tools, version control, compilers and
# the common -dev libraries. That is what slim variants lack.
FROM debian:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates curl wget gnupg dirmngr netbase \
      git openssh-client procps \
      autoconf automake bzip2 dpkg-dev file g++ gcc make patch unzip xz-utils \
      libc6-dev libssl-dev zlib1g-dev libffi-dev libpq-dev libxml2-dev libxslt1-dev \
      libyaml-dev libjpeg-dev libbz2-dev libreadline-dev libsqlite3-dev libncurses-dev \
      pkg-config libtool \
 && rm -rf /var/lib/apt/lists/*
