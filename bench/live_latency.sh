#!/usr/bin/env bash
# Live decision latency, per-block processing time and overruns of the listen
# path (build/bench/bench_live_latency) on 10 minutes of generated 48 kHz mono
# recordings that no model was trained or tuned on: 10 clinic, 10 home and
# 10 knee scenes of 20 s, seed 1300, SNR 10-30 dB, labels beside them.
# Usage: bench/live_latency.sh [SPEED] [BUILD_DIR]   (SPEED 1 = real time, the default)
# The results are recorded in bench/RESULTS.md ("Live capture").
set -euo pipefail
cd "$(dirname "$0")/.."
speed=${1:-1}
build=${2:-build}
out=bench/out/live-test
popscope=$build/popscope
. bench/synth_cache.sh
for p in clinic home knee; do
  regenerate_unless_current "$out/$p" --scenes 10 --seed 1300 --profile "$p" \
    --rate 48000 --channels 1 --snr-db 10:30 --no-progress >/dev/null
done
"$build/bench/bench_live_latency" --speed "$speed" "$out"/clinic/*.wav "$out"/home/*.wav "$out"/knee/*.wav
