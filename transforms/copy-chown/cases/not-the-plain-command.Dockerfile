FROM python:3.12-slim
ARG APP_USER=app
COPY . /app1
RUN chown -R "$APP_USER" /app1
COPY . /app2
RUN chown -R -h app:app /app2
COPY . /app3
RUN chmod -R u+rwX /app3
COPY . /app4
RUN chown -R app: /app4
COPY . /app5
RUN chown -R app:app /app5 /data
COPY . /app6
RUN chown -R app:app /app6 || true
