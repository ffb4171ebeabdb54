FROM python:3.11-slim
RUN savedAptMark="$(apt-mark showmanual)" && apt-get update && apt-get install -y gcc libpq-dev && pip install psycopg2==2.9.9 && apt-mark auto '.*' > /dev/null && apt-mark manual $savedAptMark && apt-get purge -y --auto-remove && rm -rf /var/lib/apt/lists/*
CMD ["python"]
