#!/usr/bin/env bash
# The lava-nc conformance measure (not part of CI): lava-nc 0.10's own unit
# tests, with `lava.` rewritten to `kilauea.lava.`, run against kilauea.
#
# T = the tests of this scope (relative to lava-nc's tests/lava) that pass in
# lava-nc itself: magma/core/process/**, magma/core/model/test_decorators.py,
# magma/core/model/test_sub_model.py, magma/runtime/**, proc/**,
# utils/test_weightutils.py, utils/test_plots.py; outside learning, which
# (magma/core/learning/**, proc/dense/test_learning.py,
# proc/dense/test_stdp_sim.py, proc/clp/**) gets its own line. A module that
# fails to import, a test not reached before its module's timeout, and an
# excluded test count as failed.
#
# Prints a table per test folder and, last, `lava-nc conformance: P/T passed`;
# writes every test's outcome and failure reason to build/lava-conformance.json.
#
# Needs: pyenv's Python 3.10 (lava-nc installs only there; override with
# LAVA_PYTHON=...) and PyPI. The lava-nc venv and its test results (slow: one
# OS process per model) are cached in .lava-ref/ (git-ignored), keyed by the
# lava-nc version; delete .lava-ref/reference-lava-nc-* to rerun them.
#
# Usage: scripts/lava-conformance.sh [--jobs N] [--timeout S] [--only REGEX]
#        [--report-only]     (see scripts/lava_conformance.py --help)
set -euo pipefail
cd "$(dirname "$0")/.."

LAVA_NC_VERSION=0.10.0
LAVA_PYTHON=${LAVA_PYTHON:-/root/.pyenv/versions/3.10.13/bin/python}
REF=.lava-ref/venv
mkdir -p .lava-ref
echo '*' > .lava-ref/.gitignore   # git ignores the cache without a .gitignore line

# psutil: lava-nc's test suite needs it (magma/runtime/test_leakage.py, which
# lava-nc's model discovery imports with every process defined in that folder).
if ! "$REF/bin/python" -c "import importlib.metadata as m, sys, psutil, pytest, matplotlib; \
        sys.exit(m.version('lava-nc') != '$LAVA_NC_VERSION')" 2>/dev/null; then
    echo "[conformance] building the lava-nc $LAVA_NC_VERSION venv in $REF"
    rm -rf "$REF"
    "$LAVA_PYTHON" -m venv "$REF"
    "$REF/bin/python" -m pip install -q --disable-pip-version-check \
        "lava-nc==$LAVA_NC_VERSION" pytest matplotlib psutil 2>&1 \
        | grep -v "^WARNING: Location" || true
    "$REF/bin/python" -c "import lava.magma, tests.lava" \
        || { echo "[conformance] ERROR: installing lava-nc failed"; exit 1; }
fi

if [ ! -x .venv/bin/python ]; then
    echo "[conformance] no .venv: running scripts/setup.sh"
    bash scripts/setup.sh
fi

# The same test-suite dependencies for kilauea's run, kept out of .venv: psutil
# (see above; without it every model lookup in magma/runtime fails there too)
# and asteval (magma/core/learning/test_utils.py imports it; lava-nc has it).
EXTRAS=.lava-ref/kilauea-extras
if ! PYTHONPATH=$EXTRAS .venv/bin/python -c "import psutil, asteval" 2>/dev/null; then
    echo "[conformance] installing psutil and asteval for kilauea's run into $EXTRAS"
    .venv/bin/python -m pip install -q --disable-pip-version-check \
        --target "$EXTRAS" psutil asteval 2>&1 | grep -v "^WARNING: Location" || true
fi

exec .venv/bin/python scripts/lava_conformance.py --ref-python "$REF/bin/python" \
    --extra-path "$EXTRAS" "$@"
