#!/usr/bin/env bash
# Times the release binary over the corpus, beside hadolint on the same files.
# Usage: bench/corpus.sh [CORPUS_DIR] [RUNS]
# Not part of CI: timings depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
runs=${2:-5}
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
cargo build --release --quiet
bin=target/release/dockfix
mapfile -t files < <(find "$corpus" -name '*.Dockerfile' -size +0 | sort)
echo "files: ${#files[@]}"

# Best of $runs wall-clock seconds for a command.
best_of() {
  local best=""
  for _ in $(seq "$runs"); do
    local start end took
    start=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    end=$(date +%s.%N)
    took=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || (( $(echo "$took < $best" | bc) )); then best=$took; fi
  done
  echo "$best"
}

parse_only=$(best_of "$bin" --select none --check "${files[@]}")
all_transforms=$(best_of "$bin" --unsafe --diff "${files[@]}")
echo "dockfix parse only (--select none):   ${parse_only}s"
echo "dockfix all transforms (--unsafe --diff): ${all_transforms}s"
if command -v hadolint >/dev/null; then
  hadolint_time=$(best_of hadolint --no-fail "${files[@]}")
  echo "hadolint:                              ${hadolint_time}s"
  echo "speed-up over hadolint: $(echo "scale=1; $hadolint_time / $all_transforms" | bc)x"
fi
