# A stage nothing copies from or builds on may be a `--target`: it ships
# (both stages get the flag).
FROM python:3.11-slim AS dev
RUN pip install pytest
FROM python:3.11-slim AS prod
RUN pip install gunicorn
