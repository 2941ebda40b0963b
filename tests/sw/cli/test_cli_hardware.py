"""``kilauea export`` and ``kilauea synth``."""
from __future__ import annotations

import importlib.machinery
import sys
import types

from kilauea.cli import ExitCode
from kilauea.cli.hardware import SYNTH_MODULE


def test_export_mesh_to_a_file(invoke, tmp_path):
    out = tmp_path / "noc.v"
    res = invoke("export", "--part", "noc", "--mesh", "1x1", "-o", out)
    assert res.exit_code == ExitCode.OK, res.output
    text = out.read_text()
    assert "module noc(" in text and "host_in__payload" in text
    assert f"wrote {out}" in res.output


def test_export_default_path(invoke, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    res = invoke("export", "--part", "router", "--format", "rtlil")
    assert res.exit_code == ExitCode.OK, res.output
    assert (tmp_path / "build" / "router-0_0.il").read_text().startswith("attribute")


def test_export_to_stdout(invoke):
    res = invoke("export", "--part", "router", "--tile", "1,0", "--name", "r10", "-o", "-")
    assert res.exit_code == ExitCode.OK
    assert "module r10(" in res.output


def test_export_rejects_bad_options(invoke):
    assert invoke("export", "--part", "cpu").exit_code == ExitCode.USAGE
    assert invoke("export", "--mesh", "two").exit_code == ExitCode.USAGE
    res = invoke("export", "--param", "fifo_depth=0")
    assert res.exit_code == ExitCode.USAGE and "fifo_depth=0" in res.output
    res = invoke("export", "--part", "core", "--mesh", "1x1", "--tile", "0,1")
    assert res.exit_code == ExitCode.USAGE and "outside the 1x1 mesh" in res.output


def test_synth_runs_the_hardware_synthesis_flow(invoke):
    """`kilauea synth` hands its arguments to kilauea.hw.synth.main."""
    res = invoke("synth", "--help")
    assert res.exit_code == ExitCode.OK, res.output
    assert "python -m kilauea.hw.synth" in res.output and "--no-pnr" in res.output
    res = invoke("synth", "--param", "n_bogus=1", "--no-pnr")
    assert res.exit_code == 2 and "n_bogus" in res.output


def test_synth_delegates_when_the_hardware_has_it(invoke, monkeypatch):
    calls = []
    fake = types.ModuleType(SYNTH_MODULE)
    fake.__spec__ = importlib.machinery.ModuleSpec(SYNTH_MODULE, None)
    fake.main = lambda argv: calls.append(argv) or 5
    monkeypatch.setitem(sys.modules, SYNTH_MODULE, fake)
    res = invoke("synth", "--mesh", "2x2")
    assert calls == [["--mesh", "2x2"]] and res.exit_code == 5
