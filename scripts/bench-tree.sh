#!/usr/bin/env bash
# A large tree, as a monorepo gives it: N Dockerfiles (copies of the corpus's
# files, each in its own folder, so each has its own build context) in a
# temporary git repository. Prints CPU seconds and peak memory of
# `dockfix --check` for each N, so growth with the number of files shows.
# Usage: scripts/bench-tree.sh [CORPUS_DIR] [N...]   (default N: 1000 5000 10000)
# Not part of CI: timings depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-../shared/corpus}
shift || true
sizes=("${@:-1000 5000 10000}")
[ -d "$corpus" ] || { echo "no corpus at $corpus" >&2; exit 2; }
command -v /usr/bin/time >/dev/null || { echo "needs GNU time (apt-get install time)" >&2; exit 2; }
bin=$(scripts/build-dockfix.sh release)
mapfile -t files < <(find "$corpus" -name '*.Dockerfile' -size +100c | sort)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in ${sizes[*]}; do
  tree=$work/tree-$n
  mkdir -p "$tree"
  git -C "$tree" init -q
  for i in $(seq 0 $((n - 1))); do
    dir=$tree/g$((i / 100))/s$i
    mkdir -p "$dir"
    cp "${files[$((i % ${#files[@]}))]}" "$dir/Dockerfile"
  done
  # `--check` exits 1 when it finds fixes: not a failure here (with
  # pipefail it ended the script after the first size).
  { /usr/bin/time -f "files: $n  cpu: %U s user + %S s system  wall: %e s  peak memory: %M KB" \
    "$bin" --check -q "$tree" || true; } 2>&1 >/dev/null | tail -1
done
