"""The command itself: entry point, ``python -m kilauea``, --help on every command."""
from __future__ import annotations

import importlib.metadata as md
import subprocess
import sys

import click
import pytest

from kilauea.cli import ExitCode, cli


def _commands(group: click.Group, prefix=()):
    for name, cmd in group.commands.items():
        yield prefix + (name,)
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, prefix + (name,))


ALL = [()] + list(_commands(cli))


def test_every_command_is_there():
    names = {" ".join(c) for c in ALL}
    for want in ("run", "compile", "export", "synth", "bench", "bench list", "bench run",
                 "cache", "cache list", "cache size", "cache clean", "doctor"):
        assert want in names


@pytest.mark.parametrize("path", ALL, ids=lambda p: " ".join(p) or "kilauea")
def test_help(invoke, path):
    res = invoke(*path, "--help")
    assert res.exit_code == ExitCode.OK
    assert "Usage: " in res.output and len(res.output.splitlines()) > 3


def test_console_script_entry_point():
    eps = [ep for ep in md.entry_points(group="console_scripts") if ep.name == "kilauea"]
    assert [ep.value for ep in eps] == ["kilauea.cli:main"]


def test_python_dash_m():
    out = subprocess.run([sys.executable, "-m", "kilauea", "--help"], capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "doctor" in out.stdout and "Exit codes" in out.stdout


def test_unknown_command_is_a_usage_error(invoke):
    res = invoke("no-such-command")
    assert res.exit_code == ExitCode.USAGE
