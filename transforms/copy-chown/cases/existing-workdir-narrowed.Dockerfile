FROM python:3.12-slim
RUN adduser --disabled-password --gecos "" app
WORKDIR /app
COPY . .
# the app writes its uploads next to the code
RUN chown -R app:app /app
USER app
