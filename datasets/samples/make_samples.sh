#!/usr/bin/env bash
# Regenerates the sample recordings in this folder with `popscope synth`.
# Usage: datasets/samples/make_samples.sh [path/to/popscope]
# Each sample is scene001 of a one-scene dataset, renamed; its label file
# (Audacity) is written beside it, and for the bilateral sample also a Raven
# selection table that keeps the side (channel) of each joint sound.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
popscope="${1:-$here/../../build/src/popscope}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# name | synth options
while IFS='|' read -r name opts; do
  [ -z "$name" ] && continue
  # shellcheck disable=SC2086
  "$popscope" synth --out "$tmp/$name" --scenes 1 --no-progress $opts >/dev/null
  cp "$tmp/$name/scene001.wav" "$here/$name.wav"
  cp "$tmp/$name/scene001.txt" "$here/$name.txt"
  if [[ "$opts" == *"--channels 2"* ]]; then
    # shellcheck disable=SC2086
    "$popscope" synth --out "$tmp/$name-raven" --scenes 1 --no-progress $opts --label-format raven >/dev/null
    cp "$tmp/$name-raven/scene001.selections.txt" "$here/$name.selections.txt"
  fi
  echo "$name.wav: $(cut -f3 "$here/$name.txt" | sort | uniq -c | awk '{printf "%s %s  ", $2, $1}')"
done <<'LIST'
clinic_contact|--seed 3 --profile clinic --sensor contact --channels 1 --rate 16000 --length 15
clinic_bilateral|--seed 8 --profile clinic --sensor contact --channels 2 --rate 16000 --length 12
home_air|--seed 5 --profile home --sensor air --channels 1 --rate 16000 --length 15
knee_contact|--seed 4 --profile knee --sensor contact --channels 1 --rate 16000 --length 15
noisy_air|--seed 4 --profile noisy --sensor air --channels 1 --rate 16000 --length 12
LIST
