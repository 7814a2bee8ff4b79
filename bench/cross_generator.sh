#!/usr/bin/env bash
# Cross-generator accuracy: a model trained on one recording generator and
# scored on the other, both ways, at a peak SNR of 10-30 dB.
#   synth -> physics: the default model's first member (trained on
#     `popscope synth` recordings only, models/default/rebuild.sh) scored on
#     200 first-principles recordings (bench/physics_scenes, seed 9001).
#   physics -> synth: a model trained on first-principles recordings only
#     (2,400: seeds 101, 102 and 104; validation 80, seed 103; the default
#     model's settings) scored on 200 synth recordings of every profile
#     (seed 9002).
# And each generator's own held-out seeds, for comparison, and the default
# model itself (an ensemble trained on both generators, other seeds) on both.
# Prints a Markdown table for bench/RESULTS.md.
# Usage: bench/cross_generator.sh [POPSCOPE_BINARY] [WORK_DIR]
# Environment: PHYSICS_SCENES, the first-principles generator
# (default: build/bench/physics_scenes). About 10 minutes on 2 cores.
set -euo pipefail
cd "$(dirname "$0")/.."
popscope=${1:-build/popscope}
out=${2:-bench/out/cross-generator}
physics_scenes=${PHYSICS_SCENES:-build/bench/physics_scenes}
[ -x "$popscope" ] || { echo "cross_generator: no popscope binary at $popscope (build first)" >&2; exit 2; }
[ -x "$physics_scenes" ] || { echo "cross_generator: no $physics_scenes (build first)" >&2; exit 2; }
mkdir -p "$out"
. bench/synth_cache.sh
. bench/score_row.sh
physics() { physics_unless_current "$out/$1" "$2" "$3" "${4:-5:40}"; }
physics phys-a 800 101
physics phys-b 800 102
physics phys-c 800 104
physics phys-valid 80 103
physics physics-test 200 9001 10:30
regenerate_unless_current "$out/synth-test" --scenes 200 --profile mixed --seed 9002 --snr-db 10:30 --no-progress >/dev/null
if [ ! -f "$out/physics-only.json" ] || [ "$out/phys-a/done" -nt "$out/physics-only.json" ]; then
  "$popscope" train "$out/phys-a" "$out/phys-b" "$out/phys-c" --validation "$out/phys-valid" \
    --seed 3 --type auto --hidden 64 --pop-precision 0.95 --no-progress --out "$out/physics-only.json" >/dev/null
fi
# The default model's synth-only member, as a model file of its own.
default_member1 "$out/synth-only.json"

echo "| trained on | scored on | detection P | detection R | detection F1 | cavitation P/R/F1 | crepitus P/R/F1 | snap P/R/F1 | other P/R/F1 | macro F1 (classes present) | thrust pop-count MAE |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
row "synth only (default model's member 1) | physics, seed 9001" "$out/synth-only.json" "$out/physics-test"
row "physics only | synth, seed 9002" "$out/physics-only.json" "$out/synth-test"
row "synth only (default model's member 1) | synth, seed 9002" "$out/synth-only.json" "$out/synth-test"
row "physics only | physics, seed 9001" "$out/physics-only.json" "$out/physics-test"
row "both (default model) | physics, seed 9001" default "$out/physics-test"
row "both (default model) | synth, seed 9002" default "$out/synth-test"
