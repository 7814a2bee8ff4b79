#!/usr/bin/env bash
# Makes the short speech clips the synthetic generator mixes in as "other"
# sounds (a practitioner or patient talking). The clips are committed so that
# generated recordings are bit-identical for a seed whatever espeak-ng version
# is installed; run this only to replace them (then review and commit them).
# Needs espeak-ng and sox. Output: 16 kHz mono 16-bit FLAC, a few kB each.
set -euo pipefail
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# name | voice | words per minute | pitch (0-99) | text
while IFS='|' read -r name voice wpm pitch text; do
  [ -z "$name" ] && continue
  espeak-ng -v "$voice" -s "$wpm" -p "$pitch" -w "$tmp/$name.wav" "$text"
  # Trim leading/trailing silence, resample to 16 kHz, normalise to -3 dBFS peak.
  sox "$tmp/$name.wav" -r 16000 -c 1 -b 16 "$name.flac" \
    silence 1 0.01 0.5% reverse silence 1 0.01 0.5% reverse rate -v 16000 norm -3
done <<'LIST'
en_relax|en-us+m3|150|45|Breathe in and relax.
en_turn|en+f3|170|60|Now turn your head left.
en_hurt|en-gb+m1|130|35|Does that hurt?
en_good|en-us+f2|190|70|Good, that one moved nicely.
en_again|en+m7|160|40|Let's try the other side again.
en_knee|en-us+f4|140|55|Bend your knee slowly.
de_gut|de+m2|150|40|Sehr gut, einatmen.
fr_bien|fr+f1|160|60|Très bien, on recommence doucement.
es_vale|es+m4|175|50|Vale, ahora gira la cabeza.
LIST
ls -l *.flac
