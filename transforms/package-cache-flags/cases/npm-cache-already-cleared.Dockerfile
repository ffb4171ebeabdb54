# The cache is already cleaned, in npm < 5's words or by removing it.
FROM node:8
RUN npm install -g pm2 && npm cache clear
RUN npm install -g forever && rm -rf /root/.npm
RUN yarn global add serve && rm -rf /usr/local/share/.cache/yarn
