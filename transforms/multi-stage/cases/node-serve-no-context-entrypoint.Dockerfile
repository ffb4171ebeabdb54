FROM node:18
WORKDIR /web
COPY . .
RUN npm ci
RUN npm run build:prod
ENTRYPOINT ["npx", "--yes", "serve"]
CMD ["-s", "dist", "-l", "tcp://0.0.0.0:5000"]
