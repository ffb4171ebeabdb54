FROM python:3.12
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
COPY app.py /app/
HEALTHCHECK CMD curl -f http://localhost:8000/ || exit 1
CMD ["python", "/app/app.py"]
