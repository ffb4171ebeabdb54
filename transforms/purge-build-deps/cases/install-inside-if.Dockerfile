FROM python:3.11-slim
ARG WITH_POSTGRES=1
RUN if [ "$WITH_POSTGRES" = 1 ]; then apt-get update && apt-get install -y gcc libpq-dev; fi && pip install psycopg2==2.9.9
CMD ["python"]
