"""Run the NoC cocotb benches (router alone; 2x2 NoC with host port) on the
Verilog that `kilauea.hw.export` writes, on every simulator, several seeds."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kilauea.hw.export import Part
from kilauea.hw.params import ChipParams
from kilauea.verify import SIMULATORS, export, missing, run_bench

HERE = Path(__file__).resolve().parent
SEEDS = {"icarus": (7, 8), "verilator": (7, 11)}
CASES = [(s, n) for s in SIMULATORS for n in SEEDS[s]]


def _run(tmp_path, simulator, verilog, top, module, seed):
    if missing(simulator):
        pytest.skip(missing(simulator))
    run_bench(verilog, top, module, simulator=simulator, seed=seed, work_dir=tmp_path,
              module_dirs=(HERE,), extra_env={"NOC_FLITS": os.environ.get("NOC_FLITS", "150")})


@pytest.mark.parametrize("simulator,seed", CASES)
def test_router_bench(tmp_path, simulator, seed):
    _run(tmp_path, simulator, export(Part.ROUTER, ChipParams(fifo_depth=2), tile=(1, 1)),
         "router", "noc_cocotb_router", seed)


@pytest.mark.parametrize("simulator,seed", CASES)
def test_mesh_2x2_host_port_bench(tmp_path, simulator, seed):
    _run(tmp_path, simulator, export(Part.NOC, ChipParams(fifo_depth=2, max_host_reads=4),
                                     timeout_cycles=5000),
         "noc", "noc_cocotb_mesh", seed)
