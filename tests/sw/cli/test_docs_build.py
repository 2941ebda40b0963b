"""The documentation site builds with warnings as errors (``mkdocs build
--strict``, as scripts/docs.sh runs it): broken links, missing pages, API
entries that cannot be collected and docstrings griffe cannot parse all fail
it. The docs tools come with the test extras; without them the test skips."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def test_docs_build_strict(tmp_path):
    pytest.importorskip("mkdocs", reason="mkdocs is not installed (pip install -e '.[test]')")
    pytest.importorskip("mkdocstrings", reason="mkdocstrings is not installed")
    pytest.importorskip("material", reason="mkdocs-material is not installed")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    out = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                          str(tmp_path / "site")], cwd=REPO, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    site = tmp_path / "site"
    for page in ("index.html", "getting-started/index.html", "tutorials/index.html",
                 "api/core/index.html"):
        assert (site / page).is_file(), page
    api = (site / "api" / "core" / "index.html").read_text()
    assert "ChipCfg" in api and "KILAUEA_ENGINE" in api      # rendered from the docstrings
    flat = (site / "api" / "index.html").read_text()
    assert "kilauea.proc.lif.process" in flat                # the generated namespace table
