FROM node:20 AS build
WORKDIR /app
COPY . .
RUN npm ci
RUN npx tsc

FROM node:20-slim
WORKDIR /app
COPY --from=build /app/dist ./dist
COPY package.json package-lock.json ./
RUN npm ci
CMD ["node", "dist/server.js"]
