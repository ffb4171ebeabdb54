FROM python:3.12 AS build
RUN python -m venv /opt/venv && /opt/venv/bin/pip install mysqlclient
FROM python:3.12
COPY --from=build /opt/venv /opt/venv
CMD ["/opt/venv/bin/python", "-m", "app"]
