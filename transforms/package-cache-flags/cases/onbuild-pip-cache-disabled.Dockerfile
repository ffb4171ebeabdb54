# PIP_NO_CACHE_DIR set by ENV holds in the child image too: nothing added.
FROM python:3.11
ENV PIP_NO_CACHE_DIR=1
ONBUILD RUN pip install -r requirements.txt
