FROM node:20-slim
ENV NODE_ENV=production
WORKDIR /app
COPY . .
RUN npm ci
CMD ["node", "server.js"]
