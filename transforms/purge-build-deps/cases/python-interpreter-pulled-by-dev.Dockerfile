FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends python3-dev python3-pip gcc && pip install --break-system-packages --no-cache-dir uwsgi==2.0.26 && rm -rf /var/lib/apt/lists/*
CMD ["uwsgi", "--http", ":8000", "--wsgi-file", "app.py"]
