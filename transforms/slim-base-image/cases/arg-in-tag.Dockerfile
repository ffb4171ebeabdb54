ARG PYTHON_VERSION=3.12
ARG TAG=latest
FROM python:${PYTHON_VERSION}-bookworm AS runtime
CMD ["python"]
FROM node:${TAG}
CMD ["node"]
