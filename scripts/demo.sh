#!/usr/bin/env bash
# The main demo: the Lava walkthrough network. Sets up .venv first; the plots
# are written to ./demo-output/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python docs/walkthrough.py --out demo-output "$@"
