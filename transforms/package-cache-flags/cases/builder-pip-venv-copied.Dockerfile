# Only the virtual environment is copied out; pip's cache stays behind in
# the builder (skipped).
FROM python:3.11 AS build
RUN python -m venv /opt/venv
RUN /opt/venv/bin/pip install -r /tmp/requirements.txt
FROM python:3.11-slim
COPY --from=build /opt/venv /opt/venv
CMD ["/opt/venv/bin/python", "-m", "app"]
