# A later step installs from npm's cache alone (`--offline`; `--prefer-offline`
# goes to the network only for what the cache lacks): cleaning the cache
# before it breaks it (ENOTCACHED). Here in the same stage, then in a
# stage built FROM this one.
FROM node:20-slim AS app
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
WORKDIR /tools
RUN npm install --offline left-pad

FROM node:20-slim AS base
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci

FROM base
RUN npm ci --prefer-offline

# An offline install before the one that fills the cache does not count.
FROM node:20-slim AS earlier
RUN npm install --offline -g left-pad || true
COPY package.json package-lock.json ./
RUN npm ci
