"""Run the NoC cocotb benches under Icarus Verilog on the Verilog that
`kilauea.hw.export` generates (router alone; 2x2 mesh with host port)."""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

from kilauea.hw.export import Part, build
from kilauea.hw.params import ChipParams

HERE = Path(__file__).resolve().parent

pytestmark = pytest.mark.skipif(
    shutil.which("iverilog") is None or shutil.which("vvp") is None,
    reason="Icarus Verilog (iverilog, vvp) is not installed: apt-get install iverilog")


def _run_bench(tmp_path: Path, top: str, verilog: str, module: str, seed: int) -> None:
    from cocotb_tools.check_results import get_results
    from cocotb_tools.runner import get_runner

    src = tmp_path / f"{top}.v"
    src.write_text(verilog)
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))          # the runner passes sys.path on
    runner = get_runner("icarus")
    runner.build(sources=[src], hdl_toplevel=top, build_dir=tmp_path / "build",
                 timescale=("1ns", "1ps"))
    try:
        xml = runner.test(hdl_toplevel=top, test_module=module, build_dir=tmp_path / "build",
                          test_dir=tmp_path, seed=seed,
                          extra_env={"NOC_FLITS": os.environ.get("NOC_FLITS", "150")})
    except SystemExit as e:       # the runner exits when a cocotb test fails
        raise AssertionError(f"cocotb bench {module} failed (seed {seed}); its log, with "
                             f"the failing assertion, is in the captured stdout above") from e
    n_tests, n_failed = get_results(xml)
    assert n_tests >= 1 and n_failed == 0, f"{module}: {n_failed} of {n_tests} cocotb tests failed (seed {seed})"


def test_router_bench(tmp_path):
    _run_bench(tmp_path, "router", build(Part.ROUTER, ChipParams(fifo_depth=2), tile=(1, 1)), "noc_cocotb_router", seed=7)


def test_mesh_2x2_host_port_bench(tmp_path):
    _run_bench(tmp_path, "noc", build(Part.NOC, ChipParams(fifo_depth=2, max_host_reads=4),
                                      timeout_cycles=5000),
               "noc_cocotb_mesh", seed=8)
