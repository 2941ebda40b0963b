"""The cycle costs bench/core.py reports, held to the targets: 1 cycle per
synaptic event and per fan-out packet at steady state, a LIF update in at
most 8 cycles (the lanes side by side), as the cost model predicts."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from kilauea import neurons
from kilauea.hw.neurocore.neuron_engine import update_cycles

BENCH = Path(__file__).resolve().parents[3] / "bench" / "core.py"


def _bench():
    spec = importlib.util.spec_from_file_location("kilauea_bench_core", BENCH)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_cycle_costs_meet_targets():
    b = _bench()
    assert b.synaptic_event() == 1.0
    assert b.fanout_packet() == 1.0
    lif = b.lif_update()
    assert lif <= 8, f"LIF update {lif} cycles"
    assert lif == update_cycles(neurons.lif(1).cycles(), b.P)
