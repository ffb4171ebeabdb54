FROM python:3.12-alpine
WORKDIR /srv
COPY requirements.txt .
RUN apk add --no-cache build-base postgresql-dev && pip install --no-cache-dir -r requirements.txt
COPY . .
CMD ["python", "-m", "app"]
