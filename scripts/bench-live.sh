#!/usr/bin/env bash
# Live benchmarks (reported figures, not tests): play the heaviest demo song
# for 60 s through a private JACK server (dummy driver, 48 kHz, 64 frames per
# period) and a private PulseAudio server (null sink, default latency), and
# print what `chronus play` measured: xruns, callback time against the
# period's budget, output latency.
# Usage: scripts/bench-live.sh [SONG] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/servers.sh

song=${1:-songs/ambient.yaml}
seconds=${2:-60}
need_cargo
servers_install
# Realtime scheduling, as a live rig would run (needs root or rtprio rights).
CHRONUS_JACK_REALTIME=${CHRONUS_JACK_REALTIME:-1} CHRONUS_JACK_PERIOD=${CHRONUS_JACK_PERIOD:-64} servers_start
trap servers_stop EXIT
cargo build --release --bin chronus

# timeout's Ctrl-C ends each run (exit status 124 is expected).
set +e +o pipefail
for backend in jack pulse; do
    echo "== $backend: $song for $seconds s"
    timeout -s INT "$((seconds + 1))" target/release/chronus play "$song" --backend "$backend" --loop 2>&1
    echo "(exit status $?)"
done
