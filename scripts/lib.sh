# Shared helpers for the scripts (sourced, not run).

# need_cargo: stop with instructions when there is no Rust toolchain.
need_cargo() {
    if ! command -v cargo >/dev/null 2>&1; then
        echo "chronus: cargo (Rust 1.88 or newer) is needed: install it with rustup (https://rustup.rs)" >&2
        exit 1
    fi
}

# need_packages PKG...: install missing Debian packages as root, or say which
# to install.
need_packages() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
        echo "chronus: installing ${missing[*]}" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    else
        echo "chronus: please install these packages first: sudo apt-get install ${missing[*]}" >&2
        exit 1
    fi
}

# build_packages: the Debian packages the build needs (scripts/build-packages.txt).
build_packages() {
    local here
    here=$(dirname "${BASH_SOURCE[0]}")
    grep -v '^[[:space:]]*\(#\|$\)' "$here/build-packages.txt"
}

# test_python: a private Python (target/test-tools/venv) holding the pinned
# tools the tests drive Chronus with (scripts/test-python.txt: the official
# MCP Python SDK); exports CHRONUS_MCP_PYTHON.
test_python() {
    local here venv
    here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
    venv="$here/../target/test-tools/venv"
    if ! "$venv/bin/python" -c 'import mcp' >/dev/null 2>&1 \
        || ! cmp -s "$here/test-python.txt" "$venv/installed.txt"; then
        command -v dpkg-query >/dev/null 2>&1 && need_packages python3 python3-venv
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/test-python.txt"
        cp "$here/test-python.txt" "$venv/installed.txt"
    fi
    CHRONUS_MCP_PYTHON="$(cd "$venv/bin" && pwd)/python"
    export CHRONUS_MCP_PYTHON
}
