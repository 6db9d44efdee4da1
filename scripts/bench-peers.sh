#!/usr/bin/env bash
# The reference load (64 voices of band-limited saw -> 4-pole resonant
# ladder at 2 kHz -> ADSR, stereo, 48 kHz, 64-frame blocks) rendered by
# Chronus, by scsynth (SuperCollider's server, offline: scsynth -N) and by
# Csound, one after the other in one run, and the ratios of their times.
# Installs supercollider-server, supercollider-language and csound as root
# (else says which packages it needs). Csound is left out if it is missing.
# Usage: scripts/bench-peers.sh [SECONDS]   (default 20)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

seconds=${1:-20}
need_cargo
# shellcheck disable=SC2046
command -v dpkg-query >/dev/null 2>&1 && need_packages $(build_packages) \
    supercollider-server supercollider-language csound
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Seconds of audio per second of wall time, as "12.3".
factor() { python3 -c "import sys; print(f'{float(sys.argv[1]) / float(sys.argv[2]):.1f}')" "$1" "$2"; }
# The median of three numbers.
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
# Wall seconds a command takes.
wall() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1
    t1=$(date +%s.%N)
    python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$t1"
}

echo "== chronus (cargo bench --bench reference_load, median of 3)"
line=$(cargo bench --quiet --bench reference_load -- --seconds "$seconds" 2>/dev/null | grep 'real-time factor')
echo "$line"
chronus=$(echo "$line" | sed -n 's/.*median \([0-9.]*\)x.*/\1/p')

echo "== scsynth -N (median of 3)"
# sclang writes the score; headless, and as root its Qt web engine needs
# its sandbox off.
if ! QTWEBENGINE_DISABLE_SANDBOX=1 QT_QPA_PLATFORM=offscreen XDG_RUNTIME_DIR="$work" \
    timeout 120 sclang scripts/peers/reference.scd "$work/ref.osc" "$seconds" >"$work/sclang.log" 2>&1 \
    || [ ! -s "$work/ref.osc" ]; then
    echo "sclang did not write the score:" >&2
    tail -5 "$work/sclang.log" >&2
    exit 1
fi
runs=()
for _ in 1 2 3; do
    runs+=("$(factor "$seconds" "$(wall scsynth -N "$work/ref.osc" _ "$work/sc.wav" 48000 WAV float -o 2)")")
done
scsynth=$(median "${runs[@]}")
echo "scsynth: real-time factor median ${scsynth}x (runs: ${runs[*]})"

csound=""
if command -v csound >/dev/null 2>&1; then
    echo "== csound (vco2 -> moogladder -> madsr, ksmps 64, one run)"
    {
        printf '<CsoundSynthesizer>\n<CsOptions>\n-d -m0 --nodisplays\n</CsOptions>\n<CsInstruments>\n'
        printf 'sr = 48000\nksmps = 64\nnchnls = 2\n0dbfs = 1\ninstr 1\n'
        printf '  aenv madsr 0.01, 0.3, 0.7, 0.5\n  asaw vco2 0.03, cpsmidinn(p4)\n'
        printf '  alp moogladder asaw, 2000, 0.5\n  outs alp * aenv, alp * aenv\nendin\n'
        printf '</CsInstruments>\n<CsScore>\n'
        for i in $(seq 0 63); do
            python3 -c "import sys; print(f'i1 0 {sys.argv[2]} {36 + int(sys.argv[1]) * 0.93:.4f}')" "$i" "$seconds"
        done
        printf 'e\n</CsScore>\n</CsoundSynthesizer>\n'
    } >"$work/ref.csd"
    csound=$(factor "$seconds" "$(wall csound -o "$work/cs.wav" -W -f "$work/ref.csd")")
    echo "csound: real-time factor ${csound}x"
fi

echo "== ratios (higher is faster; the same machine, the same run)"
python3 - "$chronus" "$scsynth" "$csound" <<'PY'
import sys
chronus, scsynth = float(sys.argv[1]), float(sys.argv[2])
print(f"chronus {chronus:.1f}x, scsynth {scsynth:.1f}x: chronus takes {scsynth / chronus:.3f} of scsynth's time ({chronus / scsynth:.1f}x as fast)")
if sys.argv[3]:
    csound = float(sys.argv[3])
    print(f"csound {csound:.1f}x: chronus takes {csound / chronus:.4f} of csound's time ({chronus / csound:.1f}x as fast)")
PY
