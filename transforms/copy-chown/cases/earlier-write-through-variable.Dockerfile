# An earlier RUN writes to a path held in a variable, which may be the
# destination: `chown -R` changed what it made there too.
FROM python:3.12-slim-bookworm
ENV APP_HOME=/app
RUN useradd app && mkdir -p $APP_HOME/logs
COPY app.py /app/
RUN chown -R app:app /app
