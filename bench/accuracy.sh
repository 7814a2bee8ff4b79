#!/usr/bin/env bash
# Accuracy of a model on generated recordings it was never trained or tuned
# on: seeds disjoint from the training seeds (models/default/rebuild.sh uses
# 1, 2, 11, 21, 41, 42, 51, 52), every profile, SNR 10-30 dB, 30-45 dB (a contact
# sensor in a quiet room) and 0-10 dB separately; then the
# whole profile held out: a model trained on three profiles is scored on the
# fourth. Prints a Markdown table for bench/RESULTS.md.
# Usage: bench/accuracy.sh [MODEL] [POPSCOPE_BINARY] [WORK_DIR] [--no-holdout]
# Environment: SCENES recordings per test set (30), SEED first test seed (1000;
# each profile uses SEED+10k, SEED+10k+1 and SEED+10k+2).
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:-default}
popscope=${2:-build/popscope}
work=${3:-bench/out/accuracy}
holdout=${4:-}
scenes=${SCENES:-30}
mkdir -p "$work"

. bench/synth_cache.sh
synth() { regenerate_unless_current "$work/$1" --no-progress "${@:2}" >/dev/null; }

. bench/score_row.sh

echo "| test set | detection P | detection R | detection F1 | cavitation P/R/F1 | crepitus P/R/F1 | snap P/R/F1 | other P/R/F1 | macro F1 (classes present) | thrust pop-count MAE |"
echo "|---|---|---|---|---|---|---|---|---|---|"
seed=${SEED:-1000}
for p in clinic home knee noisy; do
  if [ "$p" != noisy ]; then
    synth "$p-snr10" --scenes "$scenes" --profile "$p" --seed $seed --snr-db 10:30
    row "$p, SNR 10-30 dB" "$model" "$work/$p-snr10"
    synth "$p-snr30" --scenes "$scenes" --profile "$p" --seed $((seed + 2)) --snr-db 30:45
    row "$p, SNR 30-45 dB" "$model" "$work/$p-snr30"
  fi
  synth "$p-snr0" --scenes "$scenes" --profile "$p" --seed $((seed + 1)) --snr-db 0:10
  row "$p, SNR 0-10 dB" "$model" "$work/$p-snr0"
  seed=$((seed + 10))
done

[ "$holdout" = "--no-holdout" ] && exit 0
echo
echo "Whole profile held out (trained on the other three, 200 recordings each, seeds 31-34; 20% of those recordings validate, so nothing of the held-out profile is seen):"
echo
echo "| test set | detection P | detection R | detection F1 | cavitation P/R/F1 | crepitus P/R/F1 | snap P/R/F1 | other P/R/F1 | macro F1 (classes present) | thrust pop-count MAE |"
echo "|---|---|---|---|---|---|---|---|---|---|"
s=31
for p in clinic home knee noisy; do synth "train-$p" --scenes 200 --profile "$p" --seed $s; s=$((s + 1)); done
for p in clinic home knee noisy; do
  train=(); for q in clinic home knee noisy; do [ "$q" != "$p" ] && train+=("$work/train-$q"); done
  "$popscope" train "${train[@]}" --out "$work/without-$p.json" --seed 1 --no-progress >/dev/null 2>&1
  if [ "$p" != noisy ]; then
    row "$p (unseen profile), SNR 10-30 dB" "$work/without-$p.json" "$work/$p-snr10"
    row "$p (unseen profile), SNR 30-45 dB" "$work/without-$p.json" "$work/$p-snr30"
  fi
  row "$p (unseen profile), SNR 0-10 dB" "$work/without-$p.json" "$work/$p-snr0"
done
