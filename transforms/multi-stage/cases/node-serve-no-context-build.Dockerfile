# No build context: the folder comes from the serve command.
FROM node:18
WORKDIR /app
COPY . .
RUN npm ci && npm run build
EXPOSE 3000
CMD ["npx", "serve", "-s", "build", "-l", "3000"]
