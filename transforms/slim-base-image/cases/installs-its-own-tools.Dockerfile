FROM python:3.12
RUN apt-get update && apt-get install -y --no-install-recommends git build-essential && rm -rf /var/lib/apt/lists/*
RUN git clone https://example.com/lib.git /lib && make -C /lib
RUN pip install --no-cache-dir uvicorn
CMD ["uvicorn", "main:app"]
