FROM python:3.11-slim
USER app
RUN sudo apt-get update && sudo apt-get install -y gcc && pip install --user psutil==5.9.8
CMD ["python"]
