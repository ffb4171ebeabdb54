# A copied source dockfix cannot read (a glob, a variable) may hold the
# cache: the flags are added.
FROM node:18 AS build
ARG OUT=/app/dist
RUN npm ci
FROM node:18 AS glob
RUN npm ci
FROM nginx:alpine
COPY --from=build ${OUT} /usr/share/nginx/html
COPY --from=glob /root/.n* /tmp/
