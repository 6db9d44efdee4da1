#!/usr/bin/env bash
# Live-session benchmarks (issue 6, section 7; reported figures, not tests).
# For each JACK period (default 64 and 256 frames) start a private JACK
# server (dummy driver, 48 kHz) and PulseAudio server as scripts/servers.sh
# does, then run benches/live_latency.rs against `chronus live`:
#   1. OSC /chronus/note -> first sample at chronus:out_L: p50, p99, jitter
#   2. the same for a REPL line written to the session's stdin
#   3. OSC throughput (/chronus/set flood while a pattern plays), none lost,
#      xruns against an idle spell of equal length
#   4. `set gain=-40` on a held sine -> level within 1% of its target
# and print a table of both periods. Takes about two minutes per period.
#
# Usage: scripts/bench-live-session.sh [PERIOD...]        (default: 64 256)
#   CHRONUS_JACK_REALTIME=0   run JACK without realtime scheduling (default 1,
#                             as a live rig would; needs root or rtprio rights)
#   BENCH_ARGS="--notes 100"  more options for the bench (--notes, --flood,
#                             --sets, --seed, --dump DIR)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
. scripts/servers.sh

periods=("$@")
[ ${#periods[@]} -gt 0 ] || periods=(64 256)
read -r -a extra <<<"${BENCH_ARGS:-}"

need_cargo
servers_install
# Build everything before any server runs, so no compiler competes with
# the measurements.
cargo build --release --bin chronus
cargo bench --bench live_latency --no-run

out=$(mktemp -d -t chronus-bench-live.XXXXXX)
cleanup() {
    servers_stop
    rm -rf "$out"
}
trap cleanup EXIT

echo "chronus: net.core.rmem_max = $(cat /proc/sys/net/core/rmem_max 2>/dev/null || echo unknown) (the OSC socket's receive buffer is capped by it)" >&2
failed=()
for period in "${periods[@]}"; do
    CHRONUS_JACK_REALTIME=${CHRONUS_JACK_REALTIME:-1} CHRONUS_JACK_PERIOD=$period servers_start
    echo
    echo "== period $period: cargo bench --bench live_latency -- --summary $out/p$period.tsv ${extra[*]+"${extra[*]}"}"
    # A stuck session must not hang the script: the bench keeps each of its
    # steps bounded, and timeout stops the whole process group after 4 min.
    if ! timeout -k 10 240 cargo bench --bench live_latency -- \
        --summary "$out/p$period.tsv" ${extra[@]+"${extra[@]}"}; then
        failed+=("$period")
        echo "chronus: the bench failed at period $period; JACK's log:" >&2
        tail -n 20 "$CHRONUS_AUDIO_DIR/jack.log" >&2
    fi
    servers_stop
done

files=()
for period in "${periods[@]}"; do
    [ -s "$out/p$period.tsv" ] && files+=("$out/p$period.tsv")
done
if [ ${#files[@]} -gt 0 ]; then
    echo
    echo "== summary: chronus live on JACK (dummy driver, 48 kHz), realtime=${CHRONUS_JACK_REALTIME:-1}"
    awk -F'\t' '
        FNR == 1 { f++ }
        { if (!($1 in seen)) { seen[$1] = 1; order[++k] = $1 } val[$1, f] = $2 }
        END {
            for (i = 1; i <= k; i++) {
                if (length(order[i]) > w[0]) w[0] = length(order[i])
                for (j = 1; j <= f; j++) if (length(val[order[i], j]) > w[j]) w[j] = length(val[order[i], j])
            }
            for (i = 1; i <= k; i++) {
                printf "%-" w[0] "s", order[i]
                for (j = 1; j <= f; j++) printf " | %-" w[j] "s", val[order[i], j]
                printf "\n"
            }
        }' "${files[@]}"
fi
if [ ${#failed[@]} -gt 0 ]; then
    echo "chronus: the bench failed at period(s) ${failed[*]}" >&2
    exit 1
fi
