FROM python:3.11-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends gcc python3-dev \
 && pip install --user --no-cache-dir psutil==5.9.8 \
 && rm -rf /var/lib/apt/lists/*
CMD ["python", "-c", "import psutil"]
