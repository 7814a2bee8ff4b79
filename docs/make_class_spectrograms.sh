#!/usr/bin/env bash
# Draws a spectrogram of each event class (docs/<class>.png) from generated
# recordings: the first labelled event of the class in a `popscope synth`
# scene, cut with a little context and drawn by sox (0-8 kHz).
# Usage: docs/make_class_spectrograms.sh [path/to/popscope]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
popscope="${1:-$here/../build/src/popscope}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# class | synth options | seconds before the onset | seconds after the offset | title
while IFS='|' read -r cls opts pre post title; do
  [ -z "$cls" ] && continue
  # shellcheck disable=SC2086
  "$popscope" synth --out "$tmp/$cls" --scenes 1 --no-progress --rate 48000 --channels 1 $opts >/dev/null
  line=$(awk -F'\t' -v c="$cls" '$3 == c { print; exit }' "$tmp/$cls/scene001.txt")
  [ -n "$line" ] || { echo "no $cls event in the scene made with: $opts" >&2; exit 1; }
  onset=$(cut -f1 <<<"$line"); offset=$(cut -f2 <<<"$line")
  start=$(awk -v o="$onset" -v p="$pre" 'BEGIN { s = o - p; if (s < 0) s = 0; print s }')
  len=$(awk -v o="$onset" -v f="$offset" -v p="$pre" -v q="$post" 'BEGIN { print f - o + p + q }')
  sox "$tmp/$cls/scene001.wav" "$tmp/$cls.wav" trim "$start" "$len" rate 16k
  sox "$tmp/$cls.wav" -n spectrogram -x 480 -y 200 -z 80 -t "$title" -c "popscope synth $opts" -o "$here/$cls.png"
  echo "docs/$cls.png: $title, ${onset}-${offset} s"
done <<'LIST'
cavitation|--seed 3 --profile clinic --sensor air --snr-db 25:30 --length 10|0.05|0.15|cavitation: pops of one spinal thrust
crepitus|--seed 4 --profile knee --sensor contact --snr-db 20:25 --length 15|0.1|0.1|crepitus: micro-impulse train with friction noise
snap|--seed 2 --profile knee --sensor contact --snr-db 20:25 --length 15|0.3|0.1|snap: low damped ringing after a soft slide
other|--seed 5 --profile home --sensor air --snr-db 20:30 --length 15|0.1|0.1|other: a non-joint sound
LIST
