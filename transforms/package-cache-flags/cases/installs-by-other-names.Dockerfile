FROM node:20
WORKDIR /app
COPY . .
RUN yarn --version
RUN yarn --frozen-lockfile
RUN npm install-clean
RUN npm clean-install --omit=dev
RUN npm isntall
RUN yarn add left-pad@1.3.0
CMD ["node", "server.js"]
