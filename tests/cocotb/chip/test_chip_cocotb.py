"""Run the chip cocotb bench (chip_cocotb_bench.py) on the exported Verilog
of the whole chip (`chip_networks.CHIP`): the walkthrough network and a
random 200-neuron network, several seeds, on every simulator (see CASES)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

from kilauea.hw.export import Part
from kilauea.verify import SIMULATORS, export, missing, run_bench

HERE = Path(__file__).resolve().parent
COMPILER_KIT = HERE.parent.parent / "sw" / "compiler"
#: (network, seed, steps). Icarus simulates the chip about ten times slower than
#: Verilator, so by default it runs the short cases; KILAUEA_BENCH_DEEP=1 runs
#: every case on every simulator.
FULL = [("walkthrough", 1, 30), ("walkthrough", 2, 30), ("random200", 3, 6), ("random200", 4, 6)]
SHORT = [("walkthrough", 1, 12), ("random200", 3, 2)]
DEEP = os.environ.get("KILAUEA_BENCH_DEEP", "0") == "1"
CASES = [(sim, *case) for sim in SIMULATORS
         for case in (FULL if DEEP or sim == "verilator" else SHORT)]


@pytest.fixture(scope="module")
def chip_verilog():
    import sys
    sys.path.insert(0, str(HERE))
    from chip_networks import CHIP
    return export(Part.CHIP, CHIP)


@pytest.mark.parametrize("simulator,net,seed,steps", CASES)
def test_chip_cocotb_bench(chip_verilog, simulator, net, seed, steps, tmp_path):
    if missing(simulator):
        pytest.skip(missing(simulator))
    run_bench(chip_verilog, "chip", "chip_cocotb_bench", simulator=simulator, seed=seed,
              work_dir=tmp_path, module_dirs=(HERE, COMPILER_KIT),
              extra_env={"CHIP_NET": net, "CHIP_STEPS": str(steps)})
