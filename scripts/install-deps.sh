#!/usr/bin/env bash
# Installs everything popscope needs to build, test and benchmark, from Debian 12
# packages only. Safe to run again: packages already present are skipped.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git
  portaudio19-dev libasound2-dev alsa-utils    # live capture (PortAudio over ALSA)
  libkissfft-dev                               # FFT
  libsndfile1-dev                              # audio files (WAV, FLAC, Ogg, AIFF)
  libsoxr-dev                                  # resampling
  libeigen3-dev                                # classifier maths
  libsqlite3-dev                               # severity log
  libcli11-dev                                 # command line
  nlohmann-json3-dev                           # JSON (manifests, models, JSON lines)
  doctest-dev                                  # unit tests
  zlib1g-dev                                   # PNG in HTML reports and reading screenshots in tests
  sox espeak-ng                                # test signals and real speech for the generator
)
if [ "${POPSCOPE_EXTRA_DEPS:-}" = "ci" ]; then
  # Only needed by the full CI run: sanitizer/fuzz toolchain, browser for
  # report rendering tests, the reference onset detector for benchmarks.
  packages+=(clang libclang-rt-14-dev aubio-tools chromium python3 util-linux)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (or with sudo) to install them" >&2
  exit 1
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
