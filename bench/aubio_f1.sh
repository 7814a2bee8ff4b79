#!/usr/bin/env bash
# Detection F1 of a general onset detector (aubioonset from Debian's
# aubio-tools) against popscope on the same held-out generated recordings
# (bench/accuracy.sh makes them): onsets within 20 ms, any class. aubioonset
# is tried at several thresholds and the best one per test set is kept, i.e.
# it is tuned on the test itself; popscope uses its defaults.
# Usage: bench/aubio_f1.sh [POPSCOPE_BINARY] [ACCURACY_WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
popscope=${1:-build/popscope}
work=${2:-bench/out/accuracy}
command -v aubioonset >/dev/null || { echo "aubioonset missing: apt-get install aubio-tools" >&2; exit 1; }
f1() { "$popscope" eval --any-class --format json "$@" | python3 -c "import json,sys; print('%.3f' % json.load(sys.stdin)['event']['overall']['f1'])"; }
echo "| test set | popscope detection F1 | aubioonset best F1 (threshold) |"
echo "|---|---|---|"
for dir in "$work"/*-snr*; do
  [ -f "$dir/manifest.json" ] || continue
  best=0; best_t=-
  for t in 0.02 0.05 0.1 0.3 0.6; do
    est=$(mktemp -d)
    for wav in "$dir"/*.wav; do
      aubioonset -i "$wav" -t "$t" 2>/dev/null | awk '{printf "%s\t%s\tevent\n", $1, $1}' > "$est/$(basename "${wav%.wav}").txt"
    done
    v=$(f1 --ref "$dir" --est "$est")
    rm -rf "$est"
    if awk -v a="$v" -v b="$best" 'BEGIN {exit !(a > b)}'; then best=$v; best_t=$t; fi
  done
  echo "| $(basename "$dir") | $(f1 --model default "$dir") | $best ($best_t) |"
done
