"""``kilauea run`` and ``kilauea compile`` on tiny scripts, and the ChipCfg
defaults they set ($KILAUEA_ENGINE, $KILAUEA_MESH)."""
from __future__ import annotations

import os

import pytest

from kilauea import ChipCfg
from kilauea.cli import ExitCode
from kilauea.core.registry import executor_factory
from kilauea.runtime import make_chip_executors

from .conftest import SCRIPTS

TINY = SCRIPTS / "tiny_net.py"


def test_run_applies_engine_and_mesh(invoke):
    res = invoke("run", "--engine", "model", "--mesh", "1x1", TINY, "--steps", "7")
    assert res.exit_code == ExitCode.OK, res.output
    assert "engine=model mesh=1x1" in res.output
    # the README's worked example (lif2.v of neuron 2)
    assert "v: 0 0 0 -1920 -3119 -607 -861" in res.output
    assert "KILAUEA_ENGINE" not in os.environ      # the runner restored the environment


def test_run_without_options_keeps_chipcfg_defaults(invoke):
    res = invoke("run", TINY, "--steps", "1", env={"KILAUEA_ENGINE": "model"})
    assert "engine=model mesh=2x2" in res.output


def test_run_reports_a_failing_script(invoke):
    res = invoke("run", SCRIPTS / "fails.py")
    assert res.exit_code == ExitCode.FAILED
    assert "this script fails on purpose" in res.output
    assert "runpy" not in res.output              # only the script's own frames


def test_run_passes_the_scripts_exit_status(invoke):
    res = invoke("run", TINY, "--no-such-option")   # argparse in the script: status 2
    assert res.exit_code == 2 and "unrecognized arguments" in res.output


@pytest.mark.parametrize("args", [("--mesh", "2by2"), ("--mesh", "0x2"), ("--engine", "fast")])
def test_run_rejects_bad_options(invoke, args):
    res = invoke("run", *args, TINY)
    assert res.exit_code == ExitCode.USAGE


def test_compile_prints_the_report_and_runs_nothing(invoke):
    res = invoke("compile", "--mesh", "2x1", TINY, "--cpu-first")
    assert res.exit_code == ExitCode.OK, res.output
    assert "cpu run done" in res.output           # what comes before the chip run does run
    assert "2 x 1 mesh" in res.output and "lif1[0:3], lif2[0:3]" in res.output
    assert "v:" not in res.output                 # the chip run did not happen
    assert executor_factory(ChipCfg()) is make_chip_executors   # the hook is gone again


def test_compile_plot(invoke, tmp_path):
    png = tmp_path / "cores.png"
    res = invoke("compile", "--mesh", "2x2", "--plot", png, TINY)
    assert res.exit_code == ExitCode.OK, res.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"wrote {png}" in res.output


def test_compile_without_a_chip_run_fails(invoke):
    res = invoke("compile", SCRIPTS / "cpu_only.py")
    assert res.exit_code == ExitCode.FAILED
    assert "without running a network on the chip" in res.output


def test_chipcfg_reads_its_defaults_from_the_environment(monkeypatch):
    monkeypatch.setenv("KILAUEA_ENGINE", "pysim")
    monkeypatch.setenv("KILAUEA_MESH", "3x2")
    cfg = ChipCfg()
    assert (cfg.engine, cfg.mesh) == ("pysim", (3, 2))
    cfg = ChipCfg(engine="model", mesh=(1, 1))     # explicit arguments win
    assert (cfg.engine, cfg.mesh) == ("model", (1, 1))
    monkeypatch.setenv("KILAUEA_MESH", "3")
    with pytest.raises(ValueError, match="KILAUEA_MESH"):
        ChipCfg()
    monkeypatch.delenv("KILAUEA_MESH")
    monkeypatch.setenv("KILAUEA_ENGINE", "warp")
    with pytest.raises(ValueError, match="KILAUEA_ENGINE"):
        ChipCfg()
