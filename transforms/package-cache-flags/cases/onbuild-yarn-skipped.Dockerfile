# Whether the child's project is Yarn 2+ with Plug'n'Play is in a build
# context dockfix cannot see: no `yarn cache clean` (skipped).
FROM node:18
ONBUILD COPY . .
ONBUILD RUN yarn install --frozen-lockfile
