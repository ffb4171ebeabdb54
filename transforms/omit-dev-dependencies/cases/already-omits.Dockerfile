FROM node:20-slim
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
RUN npm install --production
RUN npm install -g pm2
RUN npm install left-pad
CMD ["pm2-runtime", "server.js"]
