FROM python:3.11-slim
WORKDIR /app
COPY requirements.txt .
RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev && pip install --no-cache-dir -r requirements.txt && rm -rf /var/lib/apt/lists/*
COPY . .
CMD ["python", "app.py"]
