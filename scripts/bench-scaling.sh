#!/usr/bin/env bash
# Times the release binary on generated many-RUN Dockerfiles of about
# 10 KB, 100 KB, 1 MB and 8 MB (just under the 8 MiB input limit) and prints
# each size's time and its growth over the previous size: linear time means
# the time grows like the size (10x input, about 10x time).
# Usage: scripts/bench-scaling.sh [RUNS] [EXTRA DOCKFIX FLAGS...]
# Not part of CI: timings depend on the machine.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-3}
shift || true
cargo build --release --quiet
bin=target/release/dockfix
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A file of about $2 bytes: stages of RUNs that every transform has work
# on (apt lists, caches, RUNs to merge), separated by other instructions so
# that merged RUNs stay a realistic size; every RUN text is distinct.
generate() {
  python3 - "$1" "$2" <<'PY'
import sys
path, target = sys.argv[1], int(sys.argv[2])
blocks = [
    "RUN apt-get update && apt-get install -y curl-{i} git\n",
    "RUN pip install flask=={i}.0\n",
    "RUN npm install -g pm2@{i}\n",
    "RUN if [ -f /etc/{i} ]; then echo found-{i}; fi\n",
    "ENV STEP_{i}=done\n",
    "RUN mkdir -p /opt/app-{i} && cd /opt/app-{i} && echo ok > /opt/app-{i}/ready\n",
    "COPY file-{i}.txt /opt/\n",
    "RUN apk add --virtual .build-{i} gcc && rm -rf /var/cache/apk/*\n",
]
out = []
size = 0
i = 0
while size < target:
    if i % 2000 == 0:
        line = f"FROM debian:bookworm AS stage{i}\nWORKDIR /app\n"
    else:
        line = blocks[i % len(blocks)].format(i=i)
    out.append(line)
    size += len(line)
    i += 1
text = "".join(out)
# Stay under the 8 MiB input limit.
text = text[: 8 * 1024 * 1024 - 1024]
text = text[: text.rfind("\n") + 1]
open(path, "w").write(text)
PY
}

now() { date +%s%N; }

# Best of $runs wall-clock nanoseconds.
best_of() {
  local best=""
  for _ in $(seq "$runs"); do
    local start took
    start=$(now)
    "$@" >/dev/null 2>&1 || true
    took=$(( $(now) - start ))
    if [ -z "$best" ] || (( took < best )); then best=$took; fi
  done
  echo "$best"
}

previous_size=""
previous_time=""
printf '%10s %10s %12s %12s\n' size seconds "size growth" "time growth"
for target in 10000 100000 1000000 8388608; do
  file="$work/Dockerfile.$target"
  generate "$file" "$target"
  size=$(wc -c <"$file")
  took=$(best_of "$bin" "$@" "$file")
  seconds=$(echo "scale=3; $took / 1000000000" | bc)
  if [ -n "$previous_size" ]; then
    size_growth=$(echo "scale=1; $size / $previous_size" | bc)
    time_growth=$(echo "scale=1; $took / $previous_time" | bc)
  else
    size_growth="-"
    time_growth="-"
  fi
  printf '%10s %10s %12s %12s\n' "$size" "$seconds" "$size_growth" "$time_growth"
  previous_size=$size
  previous_time=$took
done
