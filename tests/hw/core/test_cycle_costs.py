"""The cycle costs bench/core.py reports, held to the targets: 1 cycle per
synaptic event and per fan-out packet at steady state, a LIF update in at
most the program's instruction count plus 2."""
from __future__ import annotations

import importlib.util
from pathlib import Path

from kilauea import neurons

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
    assert lif <= len(neurons.lif(1)) + 2, f"LIF update {lif} cycles"
