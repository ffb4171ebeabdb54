FROM node:18
WORKDIR /usr/src/app
COPY . .
RUN npm install && npm run build
RUN npm install -g serve
WORKDIR /
CMD ["serve", "/usr/src/app/dist"]
