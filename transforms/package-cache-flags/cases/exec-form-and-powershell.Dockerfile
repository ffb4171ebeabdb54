FROM alpine:3.20
RUN ["apk", "add", "curl"]
FROM mcr.microsoft.com/windows/servercore:ltsc2022
SHELL ["powershell", "-Command"]
RUN pip install flask
