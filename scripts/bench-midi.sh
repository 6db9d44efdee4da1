#!/usr/bin/env bash
# MIDI benchmarks (issue 8; reported figures, not tests): for each JACK
# period (default 64 and 256 frames) start a private JACK server (dummy
# driver, 48 kHz) as scripts/servers.sh does and run benches/midi.rs:
#   1. JACK MIDI note-on -> first sample at chronus:out_L: p50, p99, jitter
#   2. MIDI clock out from chronus:midi_out: distance from the ideal grid
#   3. MIDI file import time of a 10,000-note file
#
# Usage: scripts/bench-midi.sh [PERIOD...]        (default: 64 256)
#   CHRONUS_JACK_REALTIME=0   run JACK without realtime scheduling (default 1)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/servers.sh

periods=("$@")
[ ${#periods[@]} -gt 0 ] || periods=(64 256)
need_cargo
servers_install
cargo build --release --bin chronus
cargo bench --bench midi --no-run
trap servers_stop EXIT
for period in "${periods[@]}"; do
    CHRONUS_JACK_REALTIME=${CHRONUS_JACK_REALTIME:-1} CHRONUS_JACK_PERIOD=$period servers_start
    echo "== period $period"
    timeout -k 10 240 cargo bench --bench midi
    servers_stop
done
