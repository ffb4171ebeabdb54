#!/usr/bin/env bash
# Times the release binary over every Dockerfile of the corpus, beside
# hadolint on the same files, and one single-file run as an editor would make.
# Usage: scripts/bench-corpus.sh [CORPUS_DIR] [RUNS]
# Not part of CI: timings depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
runs=${2:-5}
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
bin=$(scripts/build-dockfix.sh release)
mapfile -t files < <(find "$corpus" -name '*.Dockerfile' -size +0 | sort)
echo "files: ${#files[@]}"

now() { date +%s%N; }

# Best of $runs wall-clock seconds for a command.
best_of() {
  local best=""
  for _ in $(seq "$runs"); do
    local start took
    start=$(now)
    "$@" >/dev/null 2>&1 || true
    took=$(( $(now) - start ))
    if [ -z "$best" ] || (( took < best )); then best=$took; fi
  done
  echo "scale=3; $best / 1000000000" | bc
}

parse_only=$(best_of "$bin" --select none --check "${files[@]}")
check=$(best_of "$bin" --check "${files[@]}")
check_unsafe=$(best_of "$bin" --unsafe --check "${files[@]}")
echo "dockfix --select none --check (parse, print): ${parse_only}s"
echo "dockfix --check (safe transforms):            ${check}s"
echo "dockfix --unsafe --check (all transforms):    ${check_unsafe}s"
if command -v hadolint >/dev/null; then
  hadolint_time=$(best_of hadolint --no-fail "${files[@]}")
  echo "hadolint:                                     ${hadolint_time}s"
  echo "speed-up over hadolint: $(echo "scale=1; $hadolint_time / $check" | bc)x (--check), $(echo "scale=1; $hadolint_time / $check_unsafe" | bc)x (--unsafe --check)"
fi

# A single-file run, as format-on-save makes it: mean and worst of 100, on
# the node example and on the corpus's largest file.
largest=$(wc -c "${files[@]}" | awk '$2 != "total" && $1 > max { max = $1; name = $2 } END { print name }')
for single in examples/node/Dockerfile "$largest"; do
  total=0
  worst=0
  for _ in $(seq 100); do
    start=$(now)
    "$bin" --unsafe --check "$single" >/dev/null 2>&1 || true
    took=$(( $(now) - start ))
    total=$(( total + took ))
    if (( took > worst )); then worst=$took; fi
  done
  echo "single file ($single, $(wc -c <"$single") bytes, --unsafe --check): mean $(echo "scale=2; $total / 100 / 1000000" | bc) ms, worst $(echo "scale=2; $worst / 1000000" | bc) ms"
done
