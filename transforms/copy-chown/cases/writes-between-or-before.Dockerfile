FROM node:20-bookworm-slim AS run-between
COPY . /app
RUN npm --prefix /app ci
RUN chown -R node:node /app

FROM node:20-bookworm-slim AS earlier-run-writes
RUN mkdir -p /app/data
COPY . /app
RUN chown -R node:node /app

FROM node:20-bookworm-slim AS user-made-after-copy
COPY . /app
RUN useradd app && chown -R app /app

FROM node:20-bookworm-slim AS other-path
COPY . /app
RUN chown -R node:node /srv

FROM node:20-bookworm-slim AS runs-as-non-root
USER node
COPY . /app
RUN chown -R node:node /app

FROM node:20-bookworm-slim AS workdir-inside
COPY . /app
WORKDIR /app/logs
RUN chown -R node:node /app

FROM node:20-bookworm-slim AS already-chowned
COPY --chown=node:node . /app
RUN chown -R node:node /app

FROM node:20-bookworm-slim AS non-root-base
USER node

FROM non-root-base AS runs-as-inherited-user
COPY . /app
RUN chown -R node:node /app
