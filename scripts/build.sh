#!/usr/bin/env bash
# Configures and builds popscope. Usage: scripts/build.sh [--sanitize|--tsan] [BUILD_DIR]
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
cmake -S . -B "$dir" "${flags[@]}" >/dev/null
cmake --build "$dir" -j "$(nproc)"
