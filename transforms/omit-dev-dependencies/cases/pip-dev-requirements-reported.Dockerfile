FROM python:3.12-slim
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt -r requirements-dev.txt
CMD ["python", "app.py"]
