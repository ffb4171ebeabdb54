FROM python:3.12
# python:3.12 ships curl, but a slim swap would not: the download is not
# offered unless the Dockerfile itself installs curl or wget.
ADD https://example.com/f.tar.gz /tmp/
RUN tar -xzf /tmp/f.tar.gz -C /opt
