# Copying `/` (or /root, which holds the cache) out of the builder ships
# the cache: the flag is added.
FROM python:3.11 AS build
RUN pip install --user flask
FROM python:3.11-slim AS everything
COPY --from=build / /
FROM python:3.11 AS build-home
RUN pip install --user flask
FROM python:3.11-slim
COPY --from=build-home /root /root
