#!/usr/bin/env bash
# Detection and classification on scenes made without popscope's generator
# (bench/independent_scenes.py, from DOMAIN.md's numbers alone): 24 scenes at
# a peak SNR of 10-30 dB (seed 1) and 24 at 30-45 dB (seed 2). Prints a
# Markdown table for bench/RESULTS.md.
# Usage: bench/independent.sh [MODEL] [POPSCOPE_BINARY] [WORK_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-default}
popscope=${2:-build/popscope}
work=${3:-bench/out/independent}
[ -x "$popscope" ] || { echo "no popscope binary at $popscope (build first)" >&2; exit 2; }
mkdir -p "$work"
. bench/score_row.sh
echo "| set | detection P | detection R | detection F1 | cavitation P/R/F1 | crepitus P/R/F1 | snap P/R/F1 | other P/R/F1 | macro F1 (classes present) | thrust pop-count MAE |"
echo "|---|---|---|---|---|---|---|---|---|---|"
for spec in "peak SNR 10-30 dB:snr10-30:1:10:30" "peak SNR 30-45 dB:snr30-45:2:30:45"; do
  IFS=: read -r name sub seed lo hi <<<"$spec"
  dir=$work/$sub
  [ -f "$dir/scene023.wav" ] || python3 bench/independent_scenes.py "$dir" --scenes 24 --seed "$seed" --snr "$lo:$hi"
  row "$name" "$model" "$dir"
done
