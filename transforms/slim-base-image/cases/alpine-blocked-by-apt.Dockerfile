FROM golang:1.22
RUN apt-get update && apt-get install -y --no-install-recommends graphviz && rm -rf /var/lib/apt/lists/*
COPY bin/app /app
CMD ["/app"]
