FROM node:18
RUN npm install -g yarn@1.22.22
RUN yarn global add cowsay@1.6.0
RUN yarn global list
CMD ["cowsay", "hello"]
