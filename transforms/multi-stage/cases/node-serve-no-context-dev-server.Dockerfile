FROM node:18
WORKDIR /app
COPY . .
RUN npm ci && npm run build
CMD ["npx", "vite", "--host", "0.0.0.0"]
