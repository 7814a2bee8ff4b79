#!/usr/bin/env bash
# Speed and memory of `popscope analyze` against `aubioonset` (Debian's
# aubio-tools, default settings), measured in one run so the machine's load
# affects both alike:
#  - one core (--jobs 1), 10-minute generated clinic recordings at 48 kHz mono,
#    44.1 kHz stereo and 16 kHz mono; popscope and aubioonset run alternately,
#    median of RUNS (default 5) wall and CPU (user + system) times;
#  - peak RSS of 1-, 10-, 60- and 180-minute recordings (48 kHz mono, jsonl output);
#  - --jobs 1 against --jobs 2 on ten 1-minute recordings (a folder).
# Usage: bench/analyze_vs_aubio.sh [BUILD_DIR] [BASELINE_POPSCOPE]
#   BUILD_DIR defaults to build. BASELINE_POPSCOPE, another popscope binary
#   (an earlier commit's), is then measured alternately with the other two,
#   for before/after numbers from the same run.
# Prints Markdown tables; the results are recorded in bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
popscope=$build/popscope
baseline=${2:-}
runs=${RUNS:-5}
out=bench/out
mkdir -p "$out"
command -v aubioonset >/dev/null || { echo "aubioonset missing: apt-get install aubio-tools" >&2; exit 1; }

# A 10-minute clinic recording: ten generated minutes joined. Arguments: file
# name, seed, rate, channels. The 48 kHz mono one keeps its scenes for the
# --jobs measurement.
make_recording() {
  local file=$out/$1 dir=$out/synth-$2
  if [ ! -f "$dir/manifest.json" ]; then
    rm -rf "$dir"
    "$popscope" synth --out "$dir" --scenes 10 --length 60 --seed "$2" --profile clinic \
      --rate "$3" --channels "$4" --no-progress >/dev/null
  fi
  [ -f "$file" ] || sox $(ls "$dir"/*.wav | sort) "$file"
}
make_recording clinic_10min_48k.wav 9001 48000 1
make_recording clinic_10min_44k_stereo.wav 9002 44100 2
make_recording clinic_10min_16k.wav 9003 16000 1
rec1=$out/clinic_1min_48k.wav
rec60=$out/clinic_60min_48k.wav
rec180=$out/clinic_180min_48k.wav
rec10=$out/clinic_10min_48k.wav
[ -f "$rec1" ] || sox "$rec10" "$rec1" trim 0 60
[ -f "$rec60" ] || sox "$rec10" "$rec10" "$rec10" "$rec10" "$rec10" "$rec10" "$rec60"
[ -f "$rec180" ] || sox "$rec60" "$rec60" "$rec60" "$rec180"

# wall seconds, CPU seconds (user + system) and peak RSS (KiB) of one command
measure() {
  /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$@" >/dev/null 2>&1
  awk '{print $1, $2 + $3, $4}' "$out/time.txt"
}
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
col() { cut -d' ' -f"$2" "$1" | median; }
analyze=(analyze --jobs 1 --no-progress --format audacity)

printf "| recording (10 min, clinic) | popscope wall / CPU | aubioonset wall / CPU | speed ratio, wall / CPU | real-time factor (CPU) |"
if [ -n "$baseline" ]; then printf " before: popscope wall / CPU | before: ratio, wall / CPU |"; fi
printf "\n|---|---|---|---|---|"
if [ -n "$baseline" ]; then printf -- "---|---|"; fi
printf "\n"
for spec in "48 kHz mono:clinic_10min_48k.wav" "44.1 kHz stereo:clinic_10min_44k_stereo.wav" \
            "16 kHz mono:clinic_10min_16k.wav"; do
  name=${spec%%:*}
  rec=$out/${spec#*:}
  : >"$out/p.txt"; : >"$out/a.txt"; : >"$out/b.txt"
  for i in $(seq "$runs"); do
    measure "$popscope" "${analyze[@]}" "$rec" >>"$out/p.txt"
    measure aubioonset -i "$rec" >>"$out/a.txt"
    if [ -n "$baseline" ]; then measure "$baseline" "${analyze[@]}" "$rec" >>"$out/b.txt"; fi
  done
  p_w=$(col "$out/p.txt" 1); p_c=$(col "$out/p.txt" 2)
  a_w=$(col "$out/a.txt" 1); a_c=$(col "$out/a.txt" 2)
  awk -v n="$name" -v pw="$p_w" -v pc="$p_c" -v aw="$a_w" -v ac="$a_c" 'BEGIN {
    printf "| %s | %.3f / %.3f s | %.3f / %.3f s | %.2fx / %.2fx | %.0fx |", n, pw, pc, aw, ac, aw / pw, ac / pc, 600 / pc }'
  if [ -n "$baseline" ]; then
    b_w=$(col "$out/b.txt" 1); b_c=$(col "$out/b.txt" 2)
    awk -v bw="$b_w" -v bc="$b_c" -v aw="$a_w" -v ac="$a_c" 'BEGIN {
      printf " %.3f / %.3f s | %.2fx / %.2fx |", bw, bc, aw / bw, ac / bc }'
  fi
  printf "\n"
done
echo
echo "(median of $runs alternating runs; speed ratio = aubioonset time / popscope time)"
echo

# Peak RSS by recording length, with the output that holds the most per event.
rss() { measure "$1" analyze --jobs 1 --no-progress --format jsonl "$2" | cut -d' ' -f3; }
printf "| peak RSS (48 kHz mono, jsonl) | popscope |"
if [ -n "$baseline" ]; then printf " before |"; fi
printf " aubioonset |\n|---|---|"
if [ -n "$baseline" ]; then printf -- "---|"; fi
printf -- "---|\n"
for spec in "1 min:$rec1" "10 min:$rec10" "60 min:$rec60" "180 min:$rec180"; do
  printf "| %s | %.1f MiB |" "${spec%%:*}" "$(rss "$popscope" "${spec#*:}" | awk '{print $1 / 1024}')"
  if [ -n "$baseline" ]; then printf " %.1f MiB |" "$(rss "$baseline" "${spec#*:}" | awk '{print $1 / 1024}')"; fi
  printf " %.1f MiB |\n" "$(measure aubioonset -i "${spec#*:}" | cut -d' ' -f3 | awk '{print $1 / 1024}')"
done
echo

# --jobs scaling: ten 1-minute files, one per job at a time.
: >"$out/j1.txt"; : >"$out/j2.txt"
for i in $(seq "$runs"); do
  measure "$popscope" analyze --jobs 1 --no-progress --format jsonl "$out/synth-9001" >>"$out/j1.txt"
  measure "$popscope" analyze --jobs 2 --no-progress --format jsonl "$out/synth-9001" >>"$out/j2.txt"
done
awk -v w1="$(col "$out/j1.txt" 1)" -v w2="$(col "$out/j2.txt" 1)" -v c1="$(col "$out/j1.txt" 2)" \
    -v c2="$(col "$out/j2.txt" 2)" -v n="$(nproc)" 'BEGIN {
  printf "| ten 1-minute 48 kHz mono files (folder) | wall | CPU |\n|---|---|---|\n";
  printf "| --jobs 1 | %.3f s | %.3f s |\n| --jobs 2 | %.3f s | %.3f s |\n", w1, c1, w2, c2;
  printf "| speed-up, --jobs 2 over --jobs 1 (%d cores) | %.2fx | |\n", n, w1 / w2 }'
