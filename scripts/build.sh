#!/usr/bin/env bash
# Configures and builds popscope. Usage: scripts/build.sh [--sanitize|--tsan] [BUILD_DIR]
# Environment: POPSCOPE_BUILD_TARGETS, a space-separated list of targets to
# build instead of all of them.
# Sanitizer builds use -O1 with line tables only (-g1): the sanitizers'
# recommended level, stack traces keep file and line, and the build takes
# about half as long as -O2 -g.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=release
if [ "${1:-}" = "--sanitize" ]; then mode=sanitize; shift; fi
if [ "${1:-}" = "--tsan" ]; then mode=tsan; shift; fi
case "$mode" in
  release)  dir=${1:-build};      flags=(-DCMAKE_BUILD_TYPE=Release) ;;
  sanitize) dir=${1:-build-asan}; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOPSCOPE_SANITIZE=ON -DPOPSCOPE_BENCH=OFF) ;;
  tsan)     dir=${1:-build-tsan}; flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DPOPSCOPE_TSAN=ON -DPOPSCOPE_BENCH=OFF) ;;
esac
if [ "$mode" != release ]; then
  flags+=("-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG" "-DCMAKE_C_FLAGS_RELWITHDEBINFO=-O1 -g1 -DNDEBUG")
fi
targets=()
for t in ${POPSCOPE_BUILD_TARGETS:-}; do targets+=(--target "$t"); done
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)" "${targets[@]}"
