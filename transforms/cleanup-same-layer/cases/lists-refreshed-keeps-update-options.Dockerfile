# The added update is the first RUN's own, options and all.
FROM ubuntu:22.04
RUN apt-get update -qq && apt-get install -y -qq curl
WORKDIR /src
RUN apt-get install -y -qq git \
    && git --version
