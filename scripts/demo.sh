#!/usr/bin/env bash
# Installs the Debian packages popscope needs, builds it, and analyses the
# bundled sample recording.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh
echo
echo "\$ build/popscope analyze datasets/samples/clinic_contact.wav"
build/popscope analyze datasets/samples/clinic_contact.wav
echo
echo "\$ build/popscope eval --model default datasets/samples"
build/popscope eval --model default datasets/samples
