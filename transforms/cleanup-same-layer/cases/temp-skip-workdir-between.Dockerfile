# A WORKDIR between enters the clone: RUNs there reach it by relative names
# (skipped).
FROM debian:bookworm
RUN git clone https://github.com/example/app.git /usr/src/app
WORKDIR /usr/src/app
RUN cp -r . /opt/app
WORKDIR /
RUN rm -rf /usr/src/app
