#!/usr/bin/env bash
# Time, size and memory of `popscope report recording` on a generated 1-hour
# recording (the target: under 10 s and under 5 MB), with and without a
# classifier trained on generated data, next to `popscope analyze` of the same
# file (the analysis is part of the report). Three runs each, median shown.
# Usage: bench/report_long.sh [BUILD_DIR]   (default: build)
# Prints a Markdown table; the results are recorded in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
popscope=$build/popscope
out=bench/out/report
mkdir -p "$out"

wav=$out/long/scene001.wav
[ -f "$wav" ] || "$popscope" synth --out "$out/long" --length 3600 --scenes 1 --seed 1 --no-progress >/dev/null
model=$out/m.json
if [ ! -f "$model" ]; then
  "$popscope" synth --out "$out/train" --scenes 6 --profile mixed --seed 3 --length 20 --no-progress >/dev/null
  "$popscope" train "$out/train" --out "$model" --seed 1 >/dev/null 2>&1
fi

# wall seconds, user+system CPU seconds and peak RSS (KiB) of one command
measure() { /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$@" >/dev/null 2>&1; cat "$out/time.txt"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

echo "| command | events | wall time (median of 3) | CPU time | peak memory | report size |"
echo "|---|---|---|---|---|---|"
run() {
  local label=$1 html=$2; shift 2
  local walls="" cpus="" rss=0
  for _ in 1 2 3; do
    read -r wall user sys mem < <(measure "$@")
    walls+="$wall"$'\n'
    cpus+="$(echo "$user + $sys" | bc)"$'\n'
    rss=$mem
  done
  local size="-" events
  if [ -n "$html" ]; then
    size="$(awk -v b="$(stat -c %s "$html")" 'BEGIN {printf "%.2f MB", b / 1e6}')"
    events=$(grep -o "class='event-marker " "$html" | wc -l)
  else
    events=$("$@" | wc -l)
  fi
  printf '| `%s` | %s | %.1f s | %.1f s | %d MB | %s |\n' "$label" "$events" "$(printf '%s' "$walls" | median)" \
    "$(printf '%s' "$cpus" | median)" $((rss / 1024)) "$size"
}
run "popscope report recording $wav --model $model --out $out/long.html" "$out/long.html" \
  "$popscope" report recording "$wav" --model "$model" --no-progress --out "$out/long.html"
run "popscope report recording $wav --model none --out $out/long-none.html" "$out/long-none.html" \
  "$popscope" report recording "$wav" --model none --no-progress --out "$out/long-none.html"
run "popscope analyze $wav --model $model --format jsonl" "" \
  "$popscope" analyze "$wav" --model "$model" --format jsonl
echo
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
