# bash sources the file BASH_ENV names at the start of every RUN (ENV and
# ARG both reach the environment), here also from the stage it is built
# FROM: the second RUN writes it for the third to read.
FROM debian:bookworm-slim AS base
ENV BASH_ENV=/etc/bash_env

FROM base
SHELL ["/bin/bash", "-c"]
RUN apt-get update
RUN echo 'export PATH=/opt/tool/bin:$PATH' >> /etc/bash_env
RUN mytool --version
