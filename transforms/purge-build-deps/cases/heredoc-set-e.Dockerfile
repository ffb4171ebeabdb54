# syntax=docker/dockerfile:1
FROM python:3.12-slim
RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends g++ make
pip install --no-cache-dir --no-binary :all: msgpack==1.0.8
rm -rf /var/lib/apt/lists/*
EOF
CMD ["python", "-c", "import msgpack"]
