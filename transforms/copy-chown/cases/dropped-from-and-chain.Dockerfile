FROM node:20-bookworm-slim
RUN groupadd --system web && useradd --system --gid web --create-home web
ENV NODE_ENV=production
COPY . /srv-app
RUN chown -R web:web /srv-app && \
    npm --prefix /srv-app ci --omit=dev
USER web
