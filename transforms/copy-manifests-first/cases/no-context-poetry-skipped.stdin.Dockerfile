# Poetry: which files the install reads is not known without the context.
FROM python:3.12
WORKDIR /app
COPY . .
RUN pip install poetry && poetry install
CMD ["python", "app.py"]
