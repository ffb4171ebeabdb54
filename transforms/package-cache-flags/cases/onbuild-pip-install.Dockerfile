# ONBUILD RUN pip install runs in every child build and leaves pip's cache
# in the child's layer: --no-cache-dir as for a RUN.
FROM python:3.11
WORKDIR /app
ONBUILD COPY requirements.txt .
ONBUILD RUN pip install -r requirements.txt
ONBUILD RUN python -m pip install \
    gunicorn
