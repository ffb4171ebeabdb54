# npm's cache is downloads only, wherever the install runs: cleaned.
FROM node:18
WORKDIR /app
ONBUILD COPY package*.json ./
ONBUILD RUN npm ci
