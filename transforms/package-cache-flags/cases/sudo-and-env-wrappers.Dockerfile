FROM ubuntu:24.04
RUN sudo apt-get install -y build-essential
RUN env DEBIAN_FRONTEND=noninteractive apt-get install tzdata
