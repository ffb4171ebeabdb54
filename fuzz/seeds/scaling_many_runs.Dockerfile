FROM debian:bookworm AS stage0
WORKDIR /app
RUN pip install flask==1.0
RUN npm install -g pm2@2
RUN if [ -f /etc/3 ]; then echo found-3; fi
ENV STEP_4=done
RUN mkdir -p /opt/app-5 && cd /opt/app-5 && echo ok > /opt/app-5/ready
COPY file-6.txt /opt/
RUN apk add --virtual .build-7 gcc && rm -rf /var/cache/apk/*
RUN apt-get update && apt-get install -y curl-8 git
RUN pip install flask==9.0
RUN npm install -g pm2@10
RUN if [ -f /etc/11 ]; then echo found-11; fi
ENV STEP_12=done
RUN mkdir -p /opt/app-13 && cd /opt/app-13 && echo ok > /opt/app-13/ready
COPY file-14.txt /opt/
RUN apk add --virtual .build-15 gcc && rm -rf /var/cache/apk/*
RUN apt-get update && apt-get install -y curl-16 git
RUN pip install flask==17.0
RUN npm install -g pm2@18
RUN if [ -f /etc/19 ]; then echo found-19; fi
ENV STEP_20=done
RUN mkdir -p /opt/app-21 && cd /opt/app-21 && echo ok > /opt/app-21/ready
COPY file-22.txt /opt/
RUN apk add --virtual .build-23 gcc && rm -rf /var/cache/apk/*
RUN apt-get update && apt-get install -y curl-24 git
RUN pip install flask==25.0
RUN npm install -g pm2@26
RUN if [ -f /etc/27 ]; then echo found-27; fi
ENV STEP_28=done
RUN mkdir -p /opt/app-29 && cd /opt/app-29 && echo ok > /opt/app-29/ready
COPY file-30.txt /opt/
RUN apk add --virtual .build-31 gcc && rm -rf /var/cache/apk/*
RUN apt-get update && apt-get install -y curl-32 git
RUN pip install flask==33.0
RUN npm install -g pm2@34
RUN if [ -f /etc/35 ]; then echo found-35; fi
ENV STEP_36=done
RUN mkdir -p /opt/app-37 && cd /opt/app-37 && echo ok > /opt/app-37/ready
COPY file-38.txt /opt/
RUN apk add --virtual .build-39 gcc && rm -rf /var/cache/apk/*
RUN apt-get update && apt-get install -y curl-40 git
RUN pip install flask==41.0
RUN npm install -g pm2@42
RUN if [ -f /etc/43 ]; then echo found-43; fi
ENV STEP_44=done
RUN mkdir -p /opt/app-45 && cd /opt/app-45 && echo ok > /opt/app-45/ready
COPY file-46.txt /opt/
RUN apk add --virtual .build-47 gcc && rm -rf /var/cache/apk/*
RUN apt-get update && apt-get install -y curl-48 git
RUN pip install flask==49.0
RUN npm install -g pm2@50
RUN if [ -f /etc/51 ]; then echo found-51; fi
ENV STEP_52=done
RUN mkdir -p /opt/app-53 && cd /opt/app-53 && echo ok > /opt/app-53/ready
COPY file-54.txt /opt/
RUN apk add --virtual .build-55 gcc && rm -rf /var/cache/apk/*
RUN apt-get update && apt-get install -y curl-56 git
RUN pip install flask==57.0
RUN npm install -g pm2@58
RUN if [ -f /etc/59 ]; then echo found-59; fi
