FROM node:20
WORKDIR /app
COPY . .
RUN yarn install --frozen-lockfile
CMD ["node", "index.js"]
