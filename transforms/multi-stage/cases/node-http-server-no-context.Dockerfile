FROM node:18
WORKDIR /site
COPY . .
RUN npm ci && npm run build
CMD ["npx", "http-server", "./public", "-p", "8080"]
