# ONBUILD of something else, and an exec-form ONBUILD RUN: left alone.
FROM python:3.11
ONBUILD COPY . /app
ONBUILD RUN ["pip", "install", "-r", "/app/requirements.txt"]
ONBUILD ENV PIP_NO_CACHE_DIR=1
