#!/usr/bin/env bash
# Set up a development environment in ./.venv: Python packages (kilauea in
# editable mode with its test extras) and the Icarus Verilog simulator the
# cocotb benches need. Safe to run again; it only installs what is missing.
#
# Fast path: pip runs only when pyproject.toml or setup.py changed since the
# last successful install (a stamp in .venv holds their hash). Source changes
# need no reinstall (the install is editable). KILAUEA_SETUP_FORCE=1 reinstalls.
#
# apt: waits up to $KILAUEA_APT_LOCK_WAIT seconds (default 300) for a dpkg lock
# another apt holds, and prints apt's own output when an install fails.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
STAMP=.venv/.kilauea-setup-stamp
if [ ! -x .venv/bin/python ]; then
    echo "[setup] creating .venv with $($PY --version)"
    "$PY" -m venv .venv
fi
want=$(cat pyproject.toml setup.py | sha256sum | cut -d' ' -f1)
if [ "${KILAUEA_SETUP_FORCE:-0}" != 1 ] && [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ]; then
    : # packages up to date (editable install: sources need nothing)
else
    echo "[setup] installing kilauea and its test dependencies into .venv"
    .venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 \
        | grep -v "^WARNING: Location" || true
    .venv/bin/python -c "import kilauea.cli, amaranth, cocotb" \
        || { echo "[setup] ERROR: the Python install failed (see above)"; exit 1; }
    echo "$want" > "$STAMP"
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
APT_WAIT=${KILAUEA_APT_LOCK_WAIT:-300}
APT_LOG=$(mktemp)
trap 'rm -f "$APT_LOG"' EXIT
apt_try() {  # apt_try ARGS...: apt-get, waiting for a held dpkg lock; output to $APT_LOG
    $SUDO apt-get -o DPkg::Lock::Timeout="$APT_WAIT" -y -q "$@" >>"$APT_LOG" 2>&1
}
apt_install() {  # apt_install PACKAGE: install, updating the package lists once if needed
    : >"$APT_LOG"
    apt_try install "$1" && return 0
    apt_try update && apt_try install "$1" && return 0
    echo "[setup] apt-get could not install '$1'; its last words:"
    tail -n 15 "$APT_LOG" | sed 's/^/[setup]   /'
    return 1
}

if ! command -v g++ >/dev/null 2>&1; then
    echo "[setup] g++ not found (the compiled chip engine needs it): installing Debian's 'g++'"
    apt_install g++ || echo "[setup] WARNING: could not install g++; the compiled engine will be unavailable"
fi

if ! command -v iverilog >/dev/null 2>&1; then
    echo "[setup] Icarus Verilog (iverilog) not found: installing Debian's 'iverilog' package"
    if ! apt_install iverilog; then
        echo "[setup] WARNING: could not install iverilog; the cocotb benches will be skipped."
        echo "[setup]          Install it by hand: apt-get install iverilog"
    fi
fi
echo "[setup] ready ($(command -v iverilog >/dev/null 2>&1 && iverilog -V 2>/dev/null | head -n 1 \
    || echo 'no iverilog'); \`kilauea doctor\` checks everything)"
