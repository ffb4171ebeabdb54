# Stand-in for python:3.11 with Debian's python3 (3.11). Like the official
# image: `python` and `pip` on PATH, pip installs system-wide (Debian's
# externally-managed marker removed), build tools from buildpack-deps. Not in
# the official image: /etc/pip.conf retries downloads (the suite needs that).
FROM buildpack-deps:bookworm
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-dev python3-pip python3-venv python3-setuptools python3-wheel \
 && rm -rf /var/lib/apt/lists/* \
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED \
 && ln -s /usr/bin/python3 /usr/local/bin/python \
 && ln -s /usr/bin/pip3 /usr/local/bin/pip \
 && printf '[global]\nretries = 10\ntimeout = 60\n' > /etc/pip.conf \
 && python --version | grep -q '^Python 3\.11\.'
ENV LANG=C.UTF-8 PYTHON_VERSION=3.11 PIP_DISABLE_PIP_VERSION_CHECK=1
CMD ["python3"]
