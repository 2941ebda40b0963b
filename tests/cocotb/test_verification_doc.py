"""The example of docs/verification.md is a test: its two code blocks (the
bench module and the pytest file that runs it) are written out and run, so
the page cannot drift from the kit."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from kilauea.verify import missing

DOC = Path(__file__).resolve().parents[2] / "docs" / "verification.md"


def blocks() -> dict[str, str]:
    """File name (from the block's first line, ``# name.py...``) -> code."""
    out = {}
    for code in re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S):
        m = re.match(r"# (\w+\.py)", code)
        if m:
            out[m.group(1)] = code
    return out


def test_the_doc_names_its_two_files_and_the_bench_is_short():
    b = blocks()
    assert set(b) == {"bench_my_core.py", "test_my_core.py"}
    lines = [l for l in b["bench_my_core.py"].splitlines() if l.strip()]
    assert len(lines) < 30, f"the bench has {len(lines)} lines, the page promises under 30"


def test_the_doc_example_runs(tmp_path, monkeypatch):
    if missing("icarus"):
        pytest.skip(missing("icarus"))
    for name, code in blocks().items():
        (tmp_path / name).write_text(code)
    monkeypatch.syspath_prepend(str(tmp_path))
    for mod in ("bench_my_core", "test_my_core"):
        sys.modules.pop(mod, None)
    import test_my_core
    work = tmp_path / "work"
    work.mkdir()
    test_my_core.test_my_core(work)
