FROM python:3.12-slim AS destination-made-empty
RUN useradd --create-home app && mkdir -p /app
COPY . /app
RUN chown -R app:app /app

FROM python:3.12-slim AS parent-made
RUN mkdir -p /work
COPY . /work/src
RUN chown -R 1000:1000 /work/src

FROM python:3.12-slim AS parent-maybe-made
RUN test -d /work || mkdir /work
COPY . /work/src
RUN chown -R 1000:1000 /work/src

FROM python:3.12-slim AS inside-destination
RUN mkdir -p /app/uploads
COPY . /app
RUN chown -R 1000:1000 /app
