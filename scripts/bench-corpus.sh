#!/usr/bin/env bash
# Times the release binary over every Dockerfile of the corpus, beside
# hadolint on the same files, and single-file runs as an editor makes them.
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

# Single-file runs, as format-on-save makes them (`dockfix - < FILE`,
# process start included): every corpus file, best of 5 each, then the
# median, 90th percentile and largest of those; wall clock and CPU (from
# getrusage). Timed from Python: a shell loop's own `date` calls cost about
# as much as a run.
python3 - "$bin" "${files[@]}" <<'PY'
import resource, subprocess, sys, time

binary, files = sys.argv[1], sys.argv[2:]

def children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime

walls, cpus = [], []
for path in files:
    data = open(path, "rb").read()
    best_wall = best_cpu = float("inf")
    for _ in range(5):
        before, start = children_cpu(), time.perf_counter()
        subprocess.run([binary, "-"], input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        best_wall = min(best_wall, time.perf_counter() - start)
        best_cpu = min(best_cpu, children_cpu() - before)
    walls.append(best_wall * 1000)
    cpus.append(best_cpu * 1000)

def summary(values):
    values = sorted(values)
    return (f"median {values[len(values) // 2]:.2f} ms, 90th percentile "
            f"{values[int(len(values) * 0.9)]:.2f} ms, largest {values[-1]:.2f} ms")

print(f"stdin mode, one run per file (best of 5), wall clock: {summary(walls)}")
print(f"stdin mode, one run per file (best of 5), CPU:        {summary(cpus)}")
PY
