FROM python:3.12-slim
RUN useradd --create-home app
COPY requirements.txt /app/
COPY . /app/
RUN chown -R app:app /app
USER app
CMD ["python", "/app/main.py"]
