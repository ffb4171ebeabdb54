#!/bin/sh
set -e
find /opt/vendor /etc/app -type f | sort
cat /etc/app/settings.ini
