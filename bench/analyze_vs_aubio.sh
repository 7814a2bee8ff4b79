#!/usr/bin/env bash
# Speed and memory of `popscope analyze` against `aubioonset` (Debian's
# aubio-tools, default settings) on the same 10-minute 48 kHz mono recording,
# measured in one run so the machine's load affects both alike.
# Usage: bench/analyze_vs_aubio.sh [BUILD_DIR]   (default: build)
# Prints a Markdown table; the results are recorded in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
popscope=$build/popscope
out=bench/out
mkdir -p "$out"
command -v aubioonset >/dev/null || { echo "aubioonset missing: apt-get install aubio-tools" >&2; exit 1; }

rec10=$out/clinic_10min_48k.wav
if [ ! -f "$rec10" ]; then
  rm -rf "$out/synth"
  "$popscope" synth --out "$out/synth" --scenes 10 --length 60 --seed 9001 --profile clinic \
    --rate 48000 --channels 1 >/dev/null
  sox $(ls "$out"/synth/*.wav | sort) "$rec10"
fi
rec1=$out/clinic_1min_48k.wav
rec60=$out/clinic_60min_48k.wav
[ -f "$rec1" ] || sox "$rec10" "$rec1" trim 0 60
[ -f "$rec60" ] || sox "$rec10" "$rec10" "$rec10" "$rec10" "$rec10" "$rec10" "$rec60"

# wall seconds and peak RSS (KiB) of one command
measure() { /usr/bin/time -f "%e %M" -o "$out/time.txt" "$@" >/dev/null 2>&1; cat "$out/time.txt"; }
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

runs=5
: >"$out/p.txt"; : >"$out/a.txt"
for i in $(seq $runs); do
  measure "$popscope" analyze --jobs 1 --no-progress --format audacity --output-dir "$out/labels" "$rec10" >>"$out/p.txt"
  measure aubioonset -i "$rec10" >>"$out/a.txt"
done
p_s=$(cut -d' ' -f1 "$out/p.txt" | median); a_s=$(cut -d' ' -f1 "$out/a.txt" | median)
p_kb=$(cut -d' ' -f2 "$out/p.txt" | median); a_kb=$(cut -d' ' -f2 "$out/a.txt" | median)
rss1=$(measure "$popscope" analyze --jobs 1 --no-progress --format jsonl "$rec1" | cut -d' ' -f2)
rss60=$(measure "$popscope" analyze --jobs 1 --no-progress --format jsonl "$rec60" | cut -d' ' -f2)

awk -v p="$p_s" -v a="$a_s" -v pk="$p_kb" -v ak="$a_kb" -v r1="$rss1" -v r60="$rss60" -v n="$runs" 'BEGIN {
  printf "| measure | popscope analyze | aubioonset |\n|---|---|---|\n";
  printf "| wall time, 10 min 48 kHz mono (median of %d) | %.3f s | %.3f s |\n", n, p, a;
  printf "| real-time factor | %.0fx | %.0fx |\n", 600 / p, 600 / a;
  printf "| speed ratio (aubioonset time / popscope time) | %.2fx | |\n", a / p;
  printf "| peak RSS, 10 min | %.1f MiB | %.1f MiB |\n", pk / 1024, ak / 1024;
  printf "| peak RSS, 1 min / 60 min | %.1f / %.1f MiB (%+.1f%%) | |\n", r1 / 1024, r60 / 1024, 100 * (r60 - r1) / r1;
}'
