# The requirement file is in a subfolder: the pattern copy would put it
# elsewhere, so nothing is done without seeing the context.
FROM python:3.12
WORKDIR /app
COPY . .
RUN pip install -r requirements/prod.txt
CMD ["python", "app.py"]
