# The cache clean goes after the whole compound command, never inside it or
# between it and its redirection.
FROM node:20-bookworm-slim
RUN if [ "$NODE_ENV" = production ]; then npm ci --omit=dev; else npm ci; fi
RUN while read p; do npm install -g "$p"; done < /pkgs.txt
RUN { npm install -g pm2; } 2>&1 | tee /install.log
RUN <<EOF
if [ -f package.json ]; then
  npm ci
fi
EOF
