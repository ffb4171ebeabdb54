# Under cmd (the Windows default shell) nothing is appended.
FROM python:3.12-windowsservercore-ltsc2022
RUN pip install flask
RUN npm install -g pm2
