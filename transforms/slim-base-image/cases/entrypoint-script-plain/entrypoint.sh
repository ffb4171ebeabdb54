#!/bin/sh
set -e
export APP_ENV="${APP_ENV:-production}"
exec "$@"
