#!/usr/bin/env bash
# Build the documentation site (MkDocs Material + mkdocstrings, mkdocs.yml)
# into ./site with warnings as errors. `bash scripts/docs.sh serve` serves it
# on http://127.0.0.1:8000 instead, rebuilding on every change. Sets up .venv
# first (the docs tools come with the test extras).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export NO_MKDOCS_2_WARNING=1      # Material's banner about its successor
if [ "${1:-build}" = serve ]; then
    exec .venv/bin/python -m mkdocs serve --strict
fi
.venv/bin/python -m mkdocs build --strict "$@"
echo "[docs] built into site/ (open site/index.html)"
