FROM node:20-bookworm AS runtime
WORKDIR /app
COPY dist/ ./dist/
ENV NODE_ENV=production
CMD ["node", "dist/server.js"]
