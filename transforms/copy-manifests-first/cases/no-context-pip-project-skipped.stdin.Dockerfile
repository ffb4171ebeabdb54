# `pip install .` needs the sources themselves: left alone.
FROM python:3.12
WORKDIR /app
COPY . .
RUN pip install .
CMD ["python", "-m", "app"]
