FROM python:3.12-slim
RUN pip install flask
RUN pip3 install -r requirements.txt
RUN python3 -m pip install --upgrade pip setuptools
RUN pip3.12 install --user httpx
