"""scripts/setup.sh's fast path: pip runs only when pyproject.toml or
setup.py changed. Runs a copy of the script in a scratch folder with a fake
``.venv/bin/python`` (it logs its arguments) and fake g++/iverilog."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture
def scratch(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(REPO / "scripts" / "setup.sh", tmp_path / "scripts" / "setup.sh")
    for name in ("pyproject.toml", "setup.py"):
        shutil.copy(REPO / name, tmp_path / name)
    bin_ = tmp_path / ".venv" / "bin"
    bin_.mkdir(parents=True)
    tools = tmp_path / "tools"
    tools.mkdir()
    log = tmp_path / "python.log"
    (bin_ / "python").write_text(f'#!/bin/sh\necho "$*" >> "{log}"\n')
    for tool in ("g++", "iverilog"):
        (tools / tool).write_text("#!/bin/sh\necho fake 1.0\n")
    for f in list(bin_.iterdir()) + list(tools.iterdir()):
        f.chmod(0o755)
    return tmp_path, log


def _setup(folder: Path) -> str:
    env = dict(os.environ, PATH=f"{folder / 'tools'}:{os.environ['PATH']}")
    env.pop("KILAUEA_SETUP_FORCE", None)
    out = subprocess.run(["bash", "scripts/setup.sh"], cwd=folder, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    return out.stdout


def _pip_runs(log: Path) -> int:
    return sum("pip install" in line for line in log.read_text().splitlines()) \
        if log.exists() else 0


def test_pip_runs_only_when_the_package_definition_changes(scratch):
    folder, log = scratch
    assert "installing kilauea" in _setup(folder) and _pip_runs(log) == 1
    assert "installing" not in _setup(folder) and _pip_runs(log) == 1   # fast path
    (folder / "sw.py").write_text("# a source change needs no reinstall\n")
    _setup(folder)
    assert _pip_runs(log) == 1
    with open(folder / "pyproject.toml", "a") as f:
        f.write("\n# a dependency change\n")
    assert "installing kilauea" in _setup(folder) and _pip_runs(log) == 2
