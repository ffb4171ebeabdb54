FROM python:3.11-slim
RUN python -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
COPY requirements.txt .
RUN apt-get update && apt-get install -y --no-install-recommends build-essential libxml2-dev libxslt1-dev && pip install --no-cache-dir -r requirements.txt && rm -rf /var/lib/apt/lists/*
COPY . .
CMD ["gunicorn", "app:app"]
