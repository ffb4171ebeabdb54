# bash turns on the options SHELLOPTS lists when it starts: here errexit,
# so the first RUN fails at `false`. Joined before `&&`, errexit would be
# ignored in it and the build would go on.
FROM debian:bookworm-slim
ENV SHELLOPTS=errexit
SHELL ["/bin/bash", "-c"]
RUN if [ -d /etc ]; then false; echo step-after-failure; fi
RUN echo b
