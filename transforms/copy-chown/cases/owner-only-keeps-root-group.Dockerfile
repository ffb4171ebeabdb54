FROM node:20-bookworm-slim
COPY dist /site
RUN chown -R node /site
USER node
