#!/usr/bin/env bash
# Set up a development environment in ./.venv: Python packages (kilauea in
# editable mode with its test extras) and the Icarus Verilog simulator the
# cocotb benches need. Safe to run again; it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "[setup] creating .venv with $($PY --version)"
    "$PY" -m venv .venv
fi
echo "[setup] installing kilauea and its test dependencies into .venv"
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[test]" 2>&1 \
    | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import kilauea, amaranth, cocotb" \
    || { echo "[setup] ERROR: the Python install failed (see above)"; exit 1; }

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
apt_install() {  # apt_install PACKAGE: quietly, updating the package lists once if needed
    $SUDO apt-get install -y -q "$1" >/dev/null 2>&1 \
        || { $SUDO apt-get update -q >/dev/null 2>&1 && $SUDO apt-get install -y -q "$1" >/dev/null 2>&1; }
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
command -v iverilog >/dev/null 2>&1 && echo "[setup] $(iverilog -V 2>/dev/null | head -n 1)"
echo "[setup] done"
