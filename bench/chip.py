"""Compile and run a 1000-neuron, ~100k-synapse network on a 2 x 2 chip.

    .venv/bin/python bench/chip.py [--steps 200] [--rtl-steps 3] [--rtl-engine auto]

LIF(500) -> Dense(500 x 500, 40 % dense, ~100k synapses) -> LIF(500), layer 1
driven by a bias so that it spikes regularly, on a 2 x 2 mesh of default
capacities. Measures, in one run:

- compile time (`compile_network`, all passes);
- golden-model speed through the runtime (steps per second);
- cycles per step in RTL (the compiled engine when available, else the
  Amaranth simulator) against the lower bound of a step: the busiest core's
  synaptic events plus its neuron-program cycles (updates x cycles of one
  LIF update in the engine's cost model, `update_cycles`: a lane's cycles
  over the lanes), both read from the chip's own counters.

Final line: `compile: X s; golden model: Y steps/s; RTL cycles/step vs bound: Z x`.
Target: cycles per step within 1.5x of the bound; compile time small next to
a 1000-step run.
"""
from __future__ import annotations

import argparse
import time

import numpy as np

from kilauea import LIF, ChipCfg, Dense, RunSteps, compile_network
from kilauea.hw.neurocore.core_memory import Counter
from kilauea.hw.neurocore.neuron_engine import update_cycles
from kilauea.hw.params import ChipParams
from kilauea.neurons import library
from kilauea.runtime.builder import build_network

N = 500
DENSITY = 0.4


def make_network(seed: int = 1):
    rng = np.random.default_rng(seed)
    lif1 = LIF(shape=(N,), du=0, dv=0, vth=10, bias_mant=rng.integers(1, 4, N), bias_exp=6,
               name="lif1")
    w = np.where(rng.random((N, N)) < DENSITY, rng.integers(-40, 60, (N, N)), 0)
    dense = Dense(weights=w, name="dense")
    lif2 = LIF(shape=(N,), du=1024, dv=512, vth=600, name="lif2")
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    return lif1, lif2, int(np.count_nonzero(w))


def time_compile(params: ChipParams) -> tuple[float, int, str]:
    lif1, _, nsyn = make_network()
    net = build_network(lif1, ChipCfg(engine="model", params=params))
    t0 = time.perf_counter()
    cn = compile_network(net, params)
    return time.perf_counter() - t0, nsyn, str(cn.report)


def golden_speed(params: ChipParams, steps: int) -> tuple[float, int]:
    lif1, lif2, _ = make_network()
    cfg = ChipCfg(engine="model", params=params, counters=False)
    lif1.run(condition=RunSteps(num_steps=1), run_cfg=cfg)       # build + compile + load
    t0 = time.perf_counter()
    lif1.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    dt = time.perf_counter() - t0
    spikes = int(lif1.runtime.chip.stats.total_spikes_out)
    lif1.stop()
    return steps / dt, spikes


def rtl_cycles(params: ChipParams, steps: int, engine: str) -> tuple[str, list[tuple[int, int]]]:
    """(engine name, [(measured cycles, lower bound)] per step)."""
    lif1, _, _ = make_network()
    cfg = ChipCfg(engine=engine, params=params)
    lif1.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    chip = lif1.runtime.chip
    st = chip.stats
    # one LIF update in cycles (the cheapest program a core here can run)
    per_update = update_cycles(library.lif(1).cycles(), params)
    syn = st.counter("syn_events")
    upd = st.counter("updates")
    out = []
    for i, c in enumerate(st.cycles):
        bound = int((syn[i] + upd[i] * per_update).max())
        out.append((int(c), bound))
    name = getattr(chip.engine, "name", type(chip.engine).__name__)
    lif1.stop()
    return name, out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=200, help="golden-model steps to time")
    ap.add_argument("--rtl-steps", type=int, default=3, help="steps to run in RTL")
    ap.add_argument("--rtl-engine", default="auto", help='"compiled", "pysim" or "auto"')
    args = ap.parse_args()
    params = ChipParams()                              # 2 x 2, default capacities

    t_compile, nsyn, report = time_compile(params)
    print(report)
    print(f"network: {2 * N} neurons, {nsyn} synapses; compile time {t_compile:.2f} s")

    sps, spikes = golden_speed(params, args.steps)
    print(f"golden model: {sps:.1f} steps/s over {args.steps} steps "
          f"({spikes} host-bound spikes); a 1000-step run takes {1000 / sps:.1f} s, "
          f"{t_compile / (1000 / sps) * 100:.1f} % of it compiling")

    name, rows = rtl_cycles(params, args.rtl_steps, args.rtl_engine)
    print(f"RTL ({name}): step, cycles, lower bound (busiest core: synaptic events + "
          f"updates x {update_cycles(library.lif(1).cycles(), params):.2f} cycles)")
    ratios = []
    for i, (c, b) in enumerate(rows, 1):
        r = c / b if b else float("nan")
        if b:
            ratios.append(r)
        print(f"  step {i}: {c} cycles, bound {b}, ratio {r:.2f}")
    worst = max(ratios) if ratios else float("nan")
    print(f"compile: {t_compile:.2f} s; golden model: {sps:.1f} steps/s; "
          f"RTL cycles/step vs bound: {worst:.2f} x")


if __name__ == "__main__":
    main()
