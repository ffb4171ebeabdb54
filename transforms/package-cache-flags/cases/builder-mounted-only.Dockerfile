# A stage used only through RUN --mount=from ships nothing (skipped); the
# stage that installs from it ships.
FROM python:3.11 AS wheels
RUN pip wheel --wheel-dir /wheels -r /tmp/requirements.txt && pip install build
FROM python:3.11-slim
RUN --mount=type=bind,from=wheels,source=/wheels,target=/wheels pip install /wheels/*.whl
