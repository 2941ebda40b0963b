#!/usr/bin/env bash
# The whole test suite: sets up .venv (scripts/setup.sh), then runs pytest on
# all cores with pytest-xdist, listing the 15 slowest tests. Extra arguments
# go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -n auto -q --durations=15 "$@"
