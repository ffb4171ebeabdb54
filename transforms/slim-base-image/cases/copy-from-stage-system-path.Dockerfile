FROM node:20 AS tools
FROM node:20-slim
COPY --from=tools /usr/bin/git /usr/bin/git
CMD ["node", "server.js"]
