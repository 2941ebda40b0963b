#!/usr/bin/env bash
# The main demo: the Lava walkthrough network on the emulated chip (default
# engine: the compiled RTL; its first build takes a few minutes, then it is
# cached). Sets up .venv first; the plots
# are written to ./demo-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python docs/walkthrough.py --chip --out demo-output "$@"
