FROM node:20-bookworm
WORKDIR /usr/src/app
COPY . .
RUN yarn install --frozen-lockfile
RUN yarn build
ENV NODE_ENV=production
CMD serve -l 8080 dist
