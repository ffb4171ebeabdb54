FROM node:18
ARG OUT_DIR=build
WORKDIR /app
COPY . .
RUN npm ci && npm run build
CMD serve -s $OUT_DIR
