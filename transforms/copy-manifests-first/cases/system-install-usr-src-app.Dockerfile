FROM node:20
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y --no-install-recommends imagemagick
CMD ["node", "server.js"]
