"""Shared helpers of the chip runtime tests: the walkthrough script, the
compiler tests' random network generator (used here through the runtime,
not duplicated), and a Monitor-based recorder that runs a network under any
run configuration."""
from __future__ import annotations

import importlib.util
import pathlib

import numpy as np

from kilauea import Monitor, RunSteps

ROOT = pathlib.Path(__file__).parents[3]


def load(path: pathlib.Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def walkthrough():
    return load(ROOT / "docs" / "walkthrough.py", "kilauea_walkthrough_chip")


def compiler_testkit():
    """tests/sw/compiler/compiler_testkit.py: `random_network(seed,
    recurrent, max_neurons) -> (root, lifs)` builds seeded random LIF
    networks with host sources (into connections and straight into a_in)
    and host sinks."""
    return load(ROOT / "tests" / "sw" / "compiler" / "compiler_testkit.py",
                "kilauea_compiler_testkit_chip")


def probe_all(lifs, n_steps):
    """Monitors on u, v and s_out of every LIF: [(lif, monitor)]."""
    mons = []
    for lif in lifs:
        m = Monitor()
        m.probe(lif.u, n_steps)
        m.probe(lif.v, n_steps)
        m.probe(lif.s_out, n_steps)
        mons.append((lif, m))
    return mons


def recordings(mons, n_steps) -> dict:
    out = {}
    for lif, m in mons:
        d = m.get_data()[lif.name]
        out[lif.name] = {k: np.asarray(d[k]).reshape(n_steps, -1) for k in ("u", "v", "s_out")}
    return out


def sinks_of(root) -> dict:
    """Host sink processes (io.sink.RingBuffer) of the runtime's network."""
    from kilauea.proc.io import sink
    return {p.name: p for p in root.runtime.processes if isinstance(p, sink.RingBuffer)}


def run_recorded(root, lifs, n_steps, run_cfg, splits=None, between=None):
    """Run (in pieces of `splits` steps, calling between(k) after piece k),
    return (recordings, sink data, runtime-chip or None). Stops the runtime."""
    mons = probe_all(lifs, n_steps)
    pieces = splits or [n_steps]
    assert sum(pieces) == n_steps
    for k, n in enumerate(pieces):
        root.run(condition=RunSteps(num_steps=n), run_cfg=run_cfg)
        if between is not None and k < len(pieces) - 1:
            between(k)
    rec = recordings(mons, n_steps)
    sinks = {name: p.data.get() for name, p in sinks_of(root).items()}
    chip = root.runtime.chip
    root.stop()
    return rec, sinks, chip


def first_difference(got: dict, want: dict) -> str | None:
    for name in want:
        for k in want[name]:
            a, b = np.asarray(got[name][k]), np.asarray(want[name][k])
            if a.shape != b.shape:
                return f"{name}.{k}: shape {a.shape} != {b.shape}"
            if not np.array_equal(a, b):
                t, i = np.argwhere(a != b)[0]
                return (f"{name}.{k} differs first at step {t + 1} element {i}: "
                        f"chip {a[t, i]}, cpu {b[t, i]}")
    return None
