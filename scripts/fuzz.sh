#!/usr/bin/env bash
# Builds the libFuzzer targets with clang and runs each for a bounded time
# from its committed seed corpus. Usage: scripts/fuzz.sh [SECONDS_PER_TARGET]
# A crash leaves its input in tests/fuzz/artifacts/; add it to the target's
# corpus and a regression test before fixing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
dir=build-fuzz
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
  -DPOPSCOPE_FUZZ=ON -DPOPSCOPE_TESTS=OFF -DPOPSCOPE_BENCH=OFF >/dev/null
cmake --build "$dir" -j "$(nproc)" --target fuzz_labels fuzz_model fuzz_audio fuzz_flags
mkdir -p tests/fuzz/artifacts
status=0
for target in labels model audio flags; do
  work=$(mktemp -d)
  cp tests/fuzz/corpus/$target/* "$work"/ 2>/dev/null || true
  echo "fuzz_$target: ${seconds}s"
  if ! ASAN_OPTIONS=detect_leaks=1 LSAN_OPTIONS=suppressions=$PWD/tests/fuzz/lsan.supp "$dir/tests/fuzz/fuzz_$target" -max_total_time="$seconds" -max_len=65536 \
      -artifact_prefix=tests/fuzz/artifacts/ -print_final_stats=0 "$work" 2>"$work.log"; then
    echo "fuzz_$target found a failure:"; tail -40 "$work.log"; status=1
  else
    grep -E "^#[0-9]+.*DONE" "$work.log" | tail -1 || true
  fi
  rm -rf "$work" "$work.log"
done
exit $status
