FROM node:20
COPY --from=python:3.12 /usr/local/bin/python3.12 /usr/local/bin/
CMD ["node", "server.js"]
