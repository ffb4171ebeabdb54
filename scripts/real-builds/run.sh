#!/usr/bin/env bash
# The real-build suite in one command: a Docker engine (started, and stopped
# at the end, only if none was running), the local base images (kept when
# up to date), dockfix, then every context built before and after through
# `dockfix verify` (run.py). Arguments go to run.py, e.g.
#   scripts/real-builds/run.sh --update      # also rewrite the README table
#   scripts/real-builds/run.sh --only apt-curl-https
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/engine.sh"
engine_up
"$here/bases.sh"
dockfix=$("$here/../build-dockfix.sh" debug)
python3 "$here/run.py" --dockfix "$dockfix" "$@"
