"""kilauea.verify: a cocotb verification kit for kilauea's RTL (docs/verification.md).

Benches run on the Verilog `kilauea.hw.export` writes (the whole chip, the
NoC, one core or one router), under Icarus Verilog or Verilator:

- `streams`: stream source / sink drivers, the per-cycle loop, seeded
  random back-pressure (`BackPressure`);
- `driver`: the host's side of the chip (`HostPortDriver`) or of one core
  (`CoreDriver`): write, read, spike, load images, step; its
  `PacketMonitor` checks every flit that comes out;
- `scoreboard`: in-order checking per source against the golden model
  (`ChipOracle`, `TileOracle`);
- `traffic`: seeded random traffic (host spikes, reads, writes);
- `coverage`: the functional-coverage summary a bench prints at its end;
- `runner`: build (cached) and run a bench from pytest (`run_bench`).

The cocotb-side modules (`streams`, `driver`) import cocotb; the rest of the
package does not need it.
"""
from .coverage import Coverage, FabricSampler
from .runner import KEEP_ZERO_INIT, SIMULATORS, BenchFailed, export, missing, run_bench
from .scoreboard import ChipOracle, Expected, GoldenScoreboard, InOrderScoreboard, TileOracle

__all__ = ["Coverage", "FabricSampler", "KEEP_ZERO_INIT", "SIMULATORS", "BenchFailed", "export",
           "missing", "run_bench", "ChipOracle", "Expected", "GoldenScoreboard",
           "InOrderScoreboard", "TileOracle"]
