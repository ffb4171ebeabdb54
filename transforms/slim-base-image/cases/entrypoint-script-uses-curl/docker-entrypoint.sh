#!/bin/sh
set -e
curl -fsS "$CONFIG_URL" -o /etc/app.conf
exec "$@"
