# syntax=docker/dockerfile:1
FROM node:20-slim
WORKDIR /app
COPY . .
RUN <<EOT
set -e
npm ci
EOT
CMD ["node", "server.js"]
