#!/usr/bin/env bash
# Build Chronus and play a demo song live (JACK if a server runs, else
# PulseAudio: PipeWire's and WSLg's included); with no audio server, render
# it to out/SONG.wav instead.
# Usage: scripts/demo.sh [songs/techno.yaml]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

song=${1:-songs/techno.yaml}
need_cargo
# The build's system packages: one list for demo.sh and test.sh.
# shellcheck disable=SC2046
command -v dpkg-query >/dev/null 2>&1 && need_packages $(build_packages)

cargo build --release --bin chronus
name=$(basename "$song" .yaml)
if target/release/chronus play "$song"; then
    exit 0
fi
echo "no audio server to play to: rendering to out/$name.wav instead"
mkdir -p out
target/release/chronus render "$song" -o "out/$name.wav"
