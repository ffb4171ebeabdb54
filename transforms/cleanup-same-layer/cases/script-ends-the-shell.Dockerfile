# The script ends the shell: nothing appended after `exit` or `exec node`
# would run, so no cleanup is appended there.
FROM debian:bookworm-slim AS exits
RUN apt-get update && apt-get install -y curl; exit 0

FROM node:20-slim AS execs
RUN npm ci && exec node --version

# `exec` without a command only redirects: the cleanup still runs after it.
FROM debian:bookworm-slim AS redirects
RUN apt-get update && apt-get install -y curl && exec 2>&1
