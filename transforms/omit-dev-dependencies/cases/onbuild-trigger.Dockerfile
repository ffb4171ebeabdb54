FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm ci
ONBUILD RUN npm run build
CMD ["node", "server.js"]
