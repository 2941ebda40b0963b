"""Shared fixtures of the ``kilauea`` command's tests: a click runner that
restores the environment variables the commands set, and the tiny scripts."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from kilauea.cli import cli

SCRIPTS = Path(__file__).with_name("scripts")
#: variables a command may set; CliRunner restores those named in `env`
ENV = ("KILAUEA_ENGINE", "KILAUEA_MESH", "KILAUEA_CACHE", "KILAUEA_BENCH_DIR")


@pytest.fixture
def invoke(tmp_path):
    """``invoke(*args, env=None)`` -> click Result, with a private cache folder."""
    runner = CliRunner()

    def run(*args, env=None):
        full = {name: None for name in ENV}
        full["KILAUEA_CACHE"] = str(tmp_path / "cache")
        full.update(env or {})
        return runner.invoke(cli, [str(a) for a in args], env=full, catch_exceptions=False)
    return run
