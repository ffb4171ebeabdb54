FROM node:20-slim
WORKDIR /app
RUN npm config set fund false
ENV NODE_ENV=production
RUN npm --version
COPY package.json .
RUN npm install
