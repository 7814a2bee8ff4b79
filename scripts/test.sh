#!/usr/bin/env bash
# Installs what the tests need, builds, and runs the whole test suite.
# Usage: scripts/test.sh [--sanitize|--tsan]   (sanitizer builds use their own folder)
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
bash scripts/build.sh $mode
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --test-dir "$dir" --output-on-failure -j "$(nproc)"
