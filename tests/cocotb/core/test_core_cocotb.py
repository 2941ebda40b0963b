"""Run the neurocore cocotb bench (core_cocotb_bench.py) on the Verilog of one
core (SMALL chip shape, microcode neuron engine), on every simulator, with
several seeds."""
from __future__ import annotations

from pathlib import Path

import pytest

from kilauea.hw.export import Part
from kilauea.verify import SIMULATORS, export, missing, run_bench

HERE = Path(__file__).resolve().parent
HELPERS = HERE.parent.parent / "hw" / "core"
SEEDS = {"icarus": (3, 17), "verilator": (3, 29)}


@pytest.fixture(scope="module")
def core_verilog():
    import sys
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HELPERS))
    from core_cocotb_bench import PARAMS
    return export(Part.CORE, PARAMS)


@pytest.mark.parametrize("simulator,seed", [(s, n) for s in SIMULATORS for n in SEEDS[s]])
def test_core_cocotb_bench(core_verilog, simulator, seed, tmp_path):
    if missing(simulator):
        pytest.skip(missing(simulator))
    run_bench(core_verilog, "core", "core_cocotb_bench", simulator=simulator, seed=seed,
              work_dir=tmp_path, module_dirs=(HERE, HELPERS))
