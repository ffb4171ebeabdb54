# A stage the final one is built FROM ships whole: flags added.
FROM python:3.11-slim AS base
RUN pip install gunicorn
FROM base AS app
COPY . /app
CMD ["gunicorn", "app:app"]
