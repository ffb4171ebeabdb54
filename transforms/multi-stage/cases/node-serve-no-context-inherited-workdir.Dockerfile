FROM node:18
COPY . .
RUN npm ci && npm run build
CMD ["npx", "serve", "-s", "build"]
