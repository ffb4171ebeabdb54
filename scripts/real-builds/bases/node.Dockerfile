# Stand-in for node:18: Debian's nodejs (18) on buildpack-deps (compilers and
# python3 for node-gyp, as in the official image), with npm installed the way
# the official image has it: npm's own package under /usr/local, pinned. (We
# take Debian's npm only to fetch it, then purge it: it drags in python3 and
# hundreds of node-* packages the official image does not have.)
# As in the official image, a `node` user (uid 1000).
# Not in the official image: npm retries downloads (global npmrc).
FROM buildpack-deps:bookworm
# Node trusts only its own CA list; this makes it also trust the system bundle
# (which carries the machine's local CAs, see bases.sh).
ENV NODE_VERSION=18 NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm python3 \
 && npm install -g --prefix /usr/local --fetch-retries 5 npm@9.9.3 \
 && apt-get purge -y --auto-remove npm \
 && rm -rf /var/lib/apt/lists/* /root/.npm \
 && hash -r \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && npm config set --global fetch-retries 5 \
 && npm config set --global fetch-retry-mintimeout 20000 \
 && node --version | grep -q '^v18\.' \
 && npm --version | grep -qx '9\.9\.3'
CMD ["node"]
