ARG NODE_VERSION=20
FROM node:${NODE_VERSION}
COPY server.js /app/
CMD ["node", "/app/server.js"]
