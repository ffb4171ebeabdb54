#!/bin/sh
set -e
apt-get install -y --no-install-recommends git
