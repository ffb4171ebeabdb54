FROM node:20
WORKDIR /app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*
RUN npm ci
CMD ["node", "server.js"]
