FROM python:3.12
WORKDIR /app
COPY . .
RUN pip install -r requirements.txt -r requirements-prod.txt
CMD ["python", "app.py"]
