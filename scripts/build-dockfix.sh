#!/usr/bin/env bash
# Builds dockfix (`release`, the default, or `debug`) and prints the path of
# the binary. Where cargo puts it depends on .cargo/config.toml (under
# target/<host tuple>/), so this asks cargo instead of guessing.
set -euo pipefail
cd "$(dirname "$0")/.."
# Compiler errors still reach stderr (`json-render-diagnostics`); only the
# artefact messages come out as JSON.
flags=(--locked --quiet --bin dockfix --message-format=json-render-diagnostics)
case "${1:-release}" in
  release) flags+=(--release) ;;
  debug) ;;
  *) echo "usage: scripts/build-dockfix.sh [release|debug]" >&2; exit 2 ;;
esac
cargo build "${flags[@]}" | python3 -c '
import json, sys
paths = [message["executable"] for message in map(json.loads, sys.stdin)
         if message.get("reason") == "compiler-artifact" and message.get("executable")]
print(paths[-1])'
