FROM python:3.11.4-bookworm
WORKDIR /app
COPY app.py .
CMD ["python", "app.py"]
