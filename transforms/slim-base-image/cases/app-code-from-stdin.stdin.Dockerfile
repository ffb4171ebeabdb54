# Read from standard input: there is no build context, so what app.py
# runs is unknown and the swap is unsafe at most.
FROM python:3.12-bookworm
WORKDIR /app
COPY requirements.txt app.py ./
CMD ["python", "app.py"]
