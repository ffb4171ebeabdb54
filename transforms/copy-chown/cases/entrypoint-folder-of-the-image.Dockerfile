# nginx's image ships start-up scripts in /docker-entrypoint.d, which
# `chown -R` changed and `COPY --chown` would not.
FROM nginx:alpine
COPY conf/ /docker-entrypoint.d/
RUN chown -R nginx:nginx /docker-entrypoint.d
