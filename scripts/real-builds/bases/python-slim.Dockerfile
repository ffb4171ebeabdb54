# Stand-in for python:3.11-slim: the same Python on the slim Debian base,
# without compilers or -dev libraries; /etc/pip.conf retries downloads. Like
# the official slim image it has Python's own headers (so a build that
# installs gcc itself can compile extensions), taken out of Debian's
# libpython3.11-dev without its -dev dependencies.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates netbase python3 python3-pip python3-venv python3-setuptools python3-wheel \
 && cd /tmp && apt-get download libpython3.11-dev \
 && dpkg-deb --fsys-tarfile libpython3.11-dev_*.deb | tar -x -C / ./usr/include \
 && rm -f libpython3.11-dev_*.deb && cd / \
 && test -f /usr/include/python3.11/Python.h \
 && rm -rf /var/lib/apt/lists/* \
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED \
 && ln -s /usr/bin/python3 /usr/local/bin/python \
 && ln -s /usr/bin/pip3 /usr/local/bin/pip \
 && printf '[global]\nretries = 10\ntimeout = 60\n' > /etc/pip.conf \
 && python --version | grep -q '^Python 3\.11\.'
ENV LANG=C.UTF-8 PYTHON_VERSION=3.11 PIP_DISABLE_PIP_VERSION_CHECK=1
CMD ["python3"]
