#!/usr/bin/env bash
# The whole test suite: formatting, lints (warnings are errors), and every
# test (unit, integration, audio measurements, Gherkin specs, doc tests).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

need_cargo
# The build's system packages: the same list as demo.sh's.
# shellcheck disable=SC2046
command -v dpkg-query >/dev/null 2>&1 && need_packages $(build_packages)

# The official MCP client (Python SDK), pinned, in a private venv.
test_python

# Real audio servers for the live tests: a JACK server (dummy driver) and a
# PulseAudio server (null sink), private to this run, stopped on exit.
. scripts/servers.sh
servers_install
CHRONUS_JACK_PERIOD=${CHRONUS_JACK_PERIOD:-256} servers_start
export CHRONUS_REQUIRE_SERVERS=1
trap servers_stop EXIT

echo "== cargo fmt --check"
cargo fmt --all -- --check
echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings
echo "== the lean build (no JACK, no PulseAudio) checks clean"
cargo clippy --bin chronus --no-default-features -- -D warnings
echo "== cargo doc -D warnings"
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --workspace --quiet
echo "== cargo test"
cargo test --workspace
echo "== all checks passed"
