# A chain of builders: deps, then build FROM deps; only /app/dist is copied
# from build, so neither ships its caches (skipped).
FROM node:18 AS deps
WORKDIR /app
COPY package*.json ./
RUN npm ci
FROM deps AS build
COPY . .
RUN yarn install && yarn build
FROM nginx:alpine
COPY --from=build /app/dist /usr/share/nginx/html
