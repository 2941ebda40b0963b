"""Run the neurocore cocotb bench under Icarus Verilog on the Verilog that
Amaranth generates for one core (SMALL chip shape, microcode neuron engine)."""
from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from amaranth.back import verilog

from kilauea.hw.neurocore.core import Core

HERE = Path(__file__).resolve().parent
HELPERS = HERE.parent.parent / "hw" / "core"

pytestmark = pytest.mark.skipif(
    shutil.which("iverilog") is None or shutil.which("vvp") is None,
    reason="Icarus Verilog (iverilog, vvp) is not installed: apt-get install iverilog")


def test_core_cocotb_bench(tmp_path):
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    for d in (HERE, HELPERS):
        if str(d) not in sys.path:
            sys.path.insert(0, str(d))     # the runner passes sys.path on
    from core_helpers import SMALL

    src = tmp_path / "core.v"
    src.write_text(verilog.convert(Core(SMALL, 0, 0), name="core"))
    runner = get_runner("icarus")
    runner.build(sources=[src], hdl_toplevel="core", build_dir=tmp_path / "build",
                 timescale=("1ns", "1ps"))
    seed = 3
    try:
        xml = runner.test(hdl_toplevel="core", test_module="core_cocotb_bench",
                          build_dir=tmp_path / "build", test_dir=tmp_path, seed=seed,
                          extra_env={"CORE_SEED": str(seed)})
    except SystemExit as e:
        raise AssertionError(f"cocotb core bench failed (seed {seed}); see its log above") from e
    n_tests, n_failed = get_results(xml)
    assert n_tests == 1 and n_failed == 0, f"{n_failed} of {n_tests} cocotb tests failed (seed {seed})"
