# Stand-in for node:18-slim: the same node and npm as the node:18 stand-in on
# the slim Debian base, without compilers or python3. Unlike the official
# image it keeps ca-certificates (for NODE_EXTRA_CA_CERTS).
# As in the official image, a `node` user (uid 1000).
# Not in the official image: npm retries downloads (global npmrc).
FROM debian:bookworm-slim
# Node trusts only its own CA list; this makes it also trust the system bundle
# (which carries the machine's local CAs, see bases.sh).
ENV NODE_VERSION=18 NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates nodejs npm \
 && npm install -g --prefix /usr/local --fetch-retries 5 npm@9.9.3 \
 && apt-get purge -y --auto-remove npm \
 && rm -rf /var/lib/apt/lists/* /root/.npm \
 && hash -r \
 && groupadd --gid 1000 node \
 && useradd --uid 1000 --gid node --shell /bin/bash --create-home node \
 && npm config set --global fetch-retries 5 \
 && npm config set --global fetch-retry-mintimeout 20000 \
 && node --version | grep -q '^v18\.' \
 && npm --version | grep -qx '9\.9\.3' \
 && ! command -v python3
CMD ["node"]
