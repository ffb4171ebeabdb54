# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN --mount=type=cache,target=/root/.cache/pip pip install flask
RUN --mount=type=cache,target=/root/.cache/pip pip install gunicorn
RUN --network=none python -c "import flask"
RUN python -c "import gunicorn"
