FROM ubuntu:24.04
RUN apt-get update && apt-get install -y python3
COPY app.py /app/
RUN rm -rf /var/lib/apt/lists/*
CMD ["python3", "/app/app.py"]
