#!/usr/bin/env bash
# Installs what the tests need, builds, and runs the test suite.
# Usage: scripts/test.sh [--sanitize|--tsan]   (sanitizer builds use their own folder)
#   (none)      the whole suite, Release build (build/)
#   --sanitize  the whole suite under AddressSanitizer + UBSan (build-asan/),
#               but for the three real-time live-capture comparisons
#   --tsan      the threaded parts under ThreadSanitizer (build-tsan/): the SPSC
#               ring, the engine, analyze's --jobs worker pool and its stop on a
#               signal, train's worker pool, and listen's capture/analysis/recorder
#               threads
set -euo pipefail
cd "$(dirname "$0")/.."
POPSCOPE_EXTRA_DEPS=ci bash scripts/install-deps.sh
mode=${1:-}
case "$mode" in
  "")         dir=build ;;
  --sanitize) dir=build-asan ;;
  --tsan)     dir=build-tsan ;;
  *) echo "usage: scripts/test.sh [--sanitize|--tsan]" >&2; exit 2 ;;
esac
if [ "$mode" = --tsan ]; then
  # Only what the threaded tests below run.
  POPSCOPE_BUILD_TARGETS="popscope test_src test_cli" bash scripts/build.sh $mode
else
  bash scripts/build.sh $mode
fi
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ "$mode" = --tsan ]; then
  # A race report makes the program (and a popscope run by a test) exit 66.
  export TSAN_OPTIONS=${TSAN_OPTIONS:-second_deadlock_stack=1:exitcode=66}
  "$dir/tests/test_src" -tc="spsc ring*,events are the same whatever the block size"
  # listen's tests that compare events with analyze need the analysis to keep
  # up with real time, which it does not under TSan's slowdown; these run the
  # same threads without that timing condition.
  "$dir/tests/test_cli" -tc="results are identical for any --jobs*,analyze of several files to standard output*,SIGINT and SIGTERM stop listen*,a recording survives*,bad-input matrix*"
  exit 0
fi
if [ "$mode" = --sanitize ]; then
  # Three live-capture tests compare with analyze through a test device paced
  # in real time; under ASan's slowdown the capture cannot keep up with it (the
  # Release suite runs them). Every other test, and the rest of the live
  # tests (signals, kill -9, device errors, the severity log), run here.
  # The physics grid measures accuracy over many scenes through the same
  # engine the other tests run under the sanitizers; it runs in Release.
  ctest --test-dir "$dir" --output-on-failure -j "$(nproc)" -E '^(cli_live|physics_grid)$'
  "$dir/tests/test_cli" -sf='*test_cli_listen.cpp' \
    -tce='listen reports the same events as analyze*,stereo capture attributes*,a stalled analysis thread*'
  exit 0
fi
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
