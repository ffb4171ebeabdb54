# A COPY of a folder into a folder below the chown path creates the
# folders between (here /app): the legacy builder leaves them to root,
# where `chown -R` gave them to app.
FROM python:3.12-slim-bookworm
RUN useradd app
COPY src/ /app/src/
RUN chown -R app:app /app
