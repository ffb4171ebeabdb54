# Stand-in for nginx:alpine: Debian bookworm's nginx on the slim Debian base.
# The official image is Alpine's musl build (about 20 MB compressed); this one
# is larger. As in the official image: the site root /usr/share/nginx/html,
# port 80, nginx in the foreground (`daemon off;`), logs to stdout and stderr,
# SIGQUIT to stop.
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends nginx-light \
 && rm -rf /var/lib/apt/lists/* \
 && rm -f /etc/nginx/sites-enabled/default \
 && printf 'server {\n    listen 80;\n    root /usr/share/nginx/html;\n    index index.html;\n}\n' > /etc/nginx/conf.d/default.conf \
 && mkdir -p /usr/share/nginx/html \
 && printf '<!doctype html>\n<title>Welcome to nginx!</title>\n' > /usr/share/nginx/html/index.html \
 && ln -sf /dev/stdout /var/log/nginx/access.log \
 && ln -sf /dev/stderr /var/log/nginx/error.log \
 && nginx -t
EXPOSE 80
STOPSIGNAL SIGQUIT
CMD ["nginx", "-g", "daemon off;"]
