#!/usr/bin/env bash
# Build Chronus and play a demo song: render it to out/SONG.wav, then play
# the file when a PulseAudio server (or PipeWire's, or WSLg's) answers.
# Usage: scripts/demo.sh [songs/techno.yaml]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

song=${1:-songs/techno.yaml}
need_cargo
command -v dpkg-query >/dev/null 2>&1 && need_packages gcc pkg-config

cargo build --release --bin chronus
mkdir -p out
name=$(basename "$song" .yaml)
target/release/chronus render "$song" -o "out/$name.wav"

if command -v paplay >/dev/null 2>&1 && command -v pactl >/dev/null 2>&1 && pactl info >/dev/null 2>&1; then
    echo "playing out/$name.wav through PulseAudio ($(pactl info | sed -n 's/^Server Name: //p'))"
    paplay "out/$name.wav"
else
    echo "no audio server answered: the song is in out/$name.wav"
fi
