FROM python:3.11 AS build
RUN apt-get update && apt-get install -y libpq-dev && pip wheel --wheel-dir /wheels psycopg2==2.9.9

FROM python:3.11-slim
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl
CMD ["python"]
