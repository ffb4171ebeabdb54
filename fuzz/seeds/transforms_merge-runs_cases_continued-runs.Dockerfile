FROM ubuntu:24.04
RUN apt-get update \
  && apt-get install -y \
       build-essential \
       git
RUN git clone https://example.com/repo.git /src \
  && make -C /src
