FROM python:3.11-slim AS app
WORKDIR /app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libffi-dev && pip install --no-cache-dir . && rm -rf /var/lib/apt/lists/*

FROM app AS test
RUN pip install --no-cache-dir -r requirements-test.txt && pytest

FROM app
CMD ["python", "-m", "app"]
