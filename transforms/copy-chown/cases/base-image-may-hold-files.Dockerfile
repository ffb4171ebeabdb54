FROM registry.example/team/base:1.4 AS unknown-base
COPY . /app
RUN chown -R app:app /app

FROM python:3.12-slim AS under-home
RUN useradd --create-home app
COPY . /home/app/src
RUN chown -R app:app /home/app/src

FROM python:3.12-slim AS parent-not-made
COPY . /app/src
RUN chown -R 1000:1000 /app/src

FROM scratch AS empty-base
COPY rootfs/ /data/
RUN chown -R 1000:1000 /data
