#!/usr/bin/env bash
# Builds dockfix (`release`, the default, or `debug`) and prints the path of
# the binary. Where cargo puts it depends on .cargo/config.toml (under
# target/<host tuple>/), so this asks cargo instead of guessing.
set -euo pipefail
cd "$(dirname "$0")/.."
flags=(--locked --quiet --bin dockfix --message-format=json)
[ "${1:-release}" = release ] && flags+=(--release)
cargo build "${flags[@]}" | python3 -c '
import json, sys
paths = [message["executable"] for message in map(json.loads, sys.stdin)
         if message.get("reason") == "compiler-artifact" and message.get("executable")]
print(paths[-1])'
