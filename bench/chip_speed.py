"""Chip speed against the CPU model: LIF(N) -> Dense(N x N) -> LIF(N).

For N = 3, 100, 1000 runs the network through the Lava API (kilauea's
``RunSteps``; layer 1 driven by a bias, layer 2's spikes into an
``io.sink.RingBuffer``) on the CPU (``CpuSimCfg(select_tag="fixed_pt")``) and
on the emulated chip with engine "model" and engine "compiled", in this one
process, interleaved (every repeat runs every engine once), and takes the
median of the repeats. N = 1000 uses ``weight_exp = -8`` and a 5 x 4 mesh;
N = 3 and 100 the default 2 x 2 mesh. Each run first runs one step (compile,
load, engine build) outside the timing, then times ``steps`` steps.

Prints per N and engine the absolute ms/step, the ratios model/cpu and
compiled/cpu and the *host overhead* per step: the wall time of the run
minus the time spent inside the engine's step calls
(``runtime.chip.stats.engine_seconds``, measured by the chip node around
every engine call), per step. A second case measures the host overhead of
a network where a host Python process exchanges spikes with the chip every
step: a ``SpikeGenerator`` (a user's ``PyLoihiProcessModel``, as in
docs/walkthrough.py) -> Dense -> LIF on the chip -> a ``SpikeCounter`` (a
user's model) on the host. A third, the *probed* case, is the N = 100
network with Monitors probing both layers' ``v`` and ``u`` and layer 2's
spikes (the walkthrough's probes: the Monitors read chip Vars after every
step; the chip runtime records the probed words inside its batched engine
calls).

Every chip run's recorded spikes are checked equal to the CPU's.

    .venv/bin/python bench/chip_speed.py [--quick] [--steps 1000] [--repeats 3]
                                         [--sizes 3,100,1000] [--engines model,compiled]
                                         [--cached-only] [--cpu-time]

``--cpu-time`` measures the process's CPU time (``time.process_time``, for
the runs and for the engine calls) instead of wall time: on a machine
shared with other jobs, wall time mostly measures the others.

``--quick``: 200 steps, 1 repeat, and (as ``--cached-only``) the compiled
engine only for chip shapes whose model is already built (a cold build of
the 5 x 4 mesh takes very long; it is skipped with a notice). The
host-process case also runs with ``batch_steps = 1`` (the chip runtime's
step-by-step path, one engine call per step; printed, not in the final
line), and so does the probed case. Final line:
``model/cpu at N=1000: X; host overhead: Y ms/step`` (Y: the worst host
overhead of all model-engine runs, the host-process case and the probed
case, batched). Targets
(issue 12): model/cpu <= 2, host overhead <= 0.05 ms/step.
"""
from __future__ import annotations

import argparse
import importlib.util
import pathlib
import statistics
import sys
import time

import numpy as np

from kilauea import ChipCfg, CpuSimCfg, Dense, LIF, Monitor, RunSteps
from kilauea.lava.magma.core.decorator import implements, requires
from kilauea.lava.magma.core.model.py.model import PyLoihiProcessModel
from kilauea.lava.magma.core.model.py.ports import PyInPort
from kilauea.lava.magma.core.model.py.type import LavaPyType
from kilauea.lava.magma.core.process.ports.ports import InPort
from kilauea.lava.magma.core.process.process import AbstractProcess
from kilauea.lava.magma.core.process.variable import Var
from kilauea.lava.magma.core.resources import CPU
from kilauea.lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from kilauea.proc.io.sink import RingBuffer as Sink
from kilauea.runtime.chip import node as chip_node

LIF_PARAMS = dict(du=410, dv=410, vth=1000, bias_exp=6)
HOST_N = 100            # size of the host-process case
PROBE_N = 100           # size of the probed case


def mesh_of(n: int) -> tuple:
    return (5, 4) if n > 500 else (2, 2)


# ------------------------------------------------------------ the network
def network(n: int, steps: int, seed: int = 0):
    """(lif1, lif2, sink) of LIF(n) -> Dense(n x n) -> LIF(n) -> RingBuffer."""
    rng = np.random.default_rng(seed)
    w = rng.integers(-128, 128, (n, n)).astype(np.int32)
    if n <= 3:
        w = np.abs(w)
    lif1 = LIF(shape=(n,), bias_mant=rng.integers(100, 131, n), name="lif1", **LIF_PARAMS)
    dense = Dense(weights=w, weight_exp=-8 if n > 500 else 0, name="dense")
    lif2 = LIF(shape=(n,), name="lif2", **LIF_PARAMS)
    sink = Sink(shape=(n,), buffer=steps + 1)
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    lif2.s_out.connect(sink.a_in)
    return lif1, lif2, sink


# -------------------------------------------- the host-process case
def spike_generator():
    """docs/walkthrough.py's SpikeGenerator: random spikes from a user's
    host model (a ``PyLoihiProcessModel`` defined in that script)."""
    spec = importlib.util.spec_from_file_location(
        "kilauea_walkthrough_bench", pathlib.Path(__file__).parents[1] / "docs" / "walkthrough.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod.SpikeGenerator


class SpikeCounter(AbstractProcess):
    """Counts the spikes it receives, per element (a user's host model)."""

    def __init__(self, shape: tuple) -> None:
        super().__init__(shape=shape)
        self.a_in = InPort(shape=shape)
        self.count = Var(shape=shape, init=0)


@implements(proc=SpikeCounter, protocol=LoihiProtocol)
@requires(CPU)
class PySpikeCounterModel(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    count: np.ndarray = LavaPyType(np.ndarray, np.int64)

    def run_spk(self) -> None:
        self.count += self.a_in.recv() != 0


_GENERATOR: list = []


def host_network(n: int, seed: int = 0):
    """(gen, counter): SpikeGenerator -> Dense -> LIF -> SpikeCounter."""
    if not _GENERATOR:
        _GENERATOR.append(spike_generator())
    rng = np.random.default_rng(seed)
    gen = _GENERATOR[0](shape=(n,), spike_prob=20, seed=seed)
    dense = Dense(weights=rng.integers(0, 128, (n, n)), name="dense_in")
    lif = LIF(shape=(n,), name="lif", **dict(LIF_PARAMS, vth=200))
    counter = SpikeCounter(shape=(n,))
    gen.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    lif.s_out.connect(counter.a_in)
    return gen, counter


# ------------------------------------------------------------ timing
def cfg_of(engine: str, n: int):
    if engine == "cpu":
        return CpuSimCfg(select_tag="fixed_pt")
    return ChipCfg(engine=engine, mesh=mesh_of(n), counters=True)


def timed_run(top, cfg, steps: int, batch: int | None = None) -> tuple[float, float | None]:
    """(wall s, engine s or None) of `steps` steps after a one-step warm-up
    (`batch`: the chip runtime's most steps per engine call; 1 forces the
    step-by-step path)."""
    top.run(condition=RunSteps(num_steps=1), run_cfg=cfg)
    chip = top.runtime.chip if hasattr(top.runtime, "chip") else None
    if chip is not None and batch is not None:
        chip.batch_steps = batch
    e0 = chip.stats.engine_seconds if chip is not None else 0.0
    t0 = chip_node.CLOCK()
    top.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    wall = chip_node.CLOCK() - t0
    eng = chip.stats.engine_seconds - e0 if chip is not None else None
    return wall, eng


def run_once(engine: str, n: int, steps: int) -> tuple[float, float | None, np.ndarray]:
    lif1, _, sink = network(n, steps)
    try:
        wall, eng = timed_run(lif1, cfg_of(engine, n), steps)
        data = sink.data.get()
    finally:
        lif1.stop()
    return wall, eng, data


def run_host_case(engine: str, steps: int, batch=None) -> tuple[float, float | None, np.ndarray]:
    gen, counter = host_network(HOST_N)
    try:
        wall, eng = timed_run(gen, cfg_of(engine, HOST_N), steps, batch)
        data = counter.count.get()
    finally:
        gen.stop()
    return wall, eng, data


def run_probed_case(engine: str, steps: int, batch=None) -> tuple[float, float | None, np.ndarray]:
    """The N = PROBE_N network with Monitors on both layers' v and u and
    layer 2's s_out: (wall s, engine s, every recording concatenated)."""
    lif1, lif2, _ = network(PROBE_N, steps)
    mon = Monitor()
    for var in (lif1.v, lif1.u, lif2.v, lif2.u, lif2.s_out):
        mon.probe(var, steps + 1)
    try:
        wall, eng = timed_run(lif1, cfg_of(engine, PROBE_N), steps, batch)
        got = mon.get_data()
        data = np.concatenate([np.asarray(got[p.name][k], dtype=np.float64).reshape(-1)
                               for p, k in ((lif1, "v"), (lif1, "u"), (lif2, "v"),
                                            (lif2, "u"), (lif2, "s_out"))])
    finally:
        lif1.stop()
    return wall, eng, data


def compiled_cached(n: int) -> bool:
    """The compiled model of N's chip shape is built already (no cold build)."""
    from kilauea.hw.params import ChipParams
    import importlib
    b = importlib.import_module("kilauea.sim.cxxrtl.build")
    w, h = mesh_of(n)
    params = ChipParams().with_(mesh_w=w, mesh_h=h)
    cxx = b.compiler()
    found = b._cached(b.cache_dir(), b.shape_key(params, "chip"),
                      [cxx] if cxx else b._compiler_names(), tuple(b.DEFAULT_FLAGS))
    return found is not None


# ------------------------------------------------------------ main
def collect(args, sizes, engines):
    """{(engine, n): [(wall, engine_s)]} over the repeats, interleaved."""
    res: dict = {}
    ref: dict = {}
    for r in range(args.repeats):
        for n in sizes:
            for engine in ("cpu", *engines):
                if engine == "compiled" and not args.compiled_ok.get(n, True):
                    continue
                wall, eng, data = run_once(engine, n, args.steps)
                if engine == "cpu":
                    ref[n] = data
                elif not np.array_equal(data, ref[n]):
                    sys.exit(f"N={n}, engine {engine}: spikes differ from the CPU's")
                res.setdefault((engine, n), []).append((wall, eng))
                print(f"  repeat {r + 1}: N={n:<5} {engine:<9} {1e3 * wall / args.steps:8.3f} "
                      f"ms/step", file=sys.stderr, flush=True)
        for case, runner in (("host", run_host_case), ("probed", run_probed_case)):
            for engine, batch in (("cpu", None), ("model", None), ("model", 1)):
                wall, eng, data = runner(engine, args.steps, batch)
                if engine == "cpu":
                    ref[case] = data
                elif not np.array_equal(data, ref[case]):
                    sys.exit(f"{case} case: the chip's results differ from the CPU's")
                res.setdefault((engine if batch is None else "model-1", case), []).append(
                    (wall, eng))
    return res


def med(runs, steps, k=0) -> float:
    return 1e3 * statistics.median(r[k] for r in runs) / steps


def overhead(runs, steps) -> float:
    return 1e3 * statistics.median(w - e for w, e in runs) / steps


def report(res, args, sizes, engines) -> None:
    s = args.steps
    clock = "CPU time" if args.cpu_time else "wall time"
    print(f"\nLIF(N) -> Dense -> LIF(N) -> RingBuffer, {s} steps, median of {args.repeats} "
          f"(ms/step of {clock}; host overhead = run - time in engine calls)")
    print(f"{'N':>5} {'cpu':>8} {'model':>8} {'compiled':>9} {'model/cpu':>10} "
          f"{'compiled/cpu':>13} {'host ovh model':>15} {'host ovh compiled':>18}")
    worst = 0.0
    for n in sizes:
        cpu = med(res[("cpu", n)], s)
        row = {e: res.get((e, n)) for e in engines}
        cols = {e: (med(r, s) if r else None) for e, r in row.items()}
        ovh = {e: (overhead(r, s) if r else None) for e, r in row.items()}

        def f(v, w=8, d=3):
            return f"{v:{w}.{d}f}" if v is not None else f"{'-':>{w}}"
        rat = {e: (cols[e] / cpu if cols.get(e) is not None else None) for e in engines}
        print(f"{n:>5} {cpu:8.3f} {f(cols.get('model'))} {f(cols.get('compiled'), 9)} "
              f"{f(rat.get('model'), 10, 1)} {f(rat.get('compiled'), 13, 1)} "
              f"{f(ovh.get('model'), 15)} {f(ovh.get('compiled'), 18)}")
        if ovh.get("model") is not None:
            worst = max(worst, ovh["model"])
    hc = res[("model", "host")]
    hovh = overhead(hc, s)
    worst = max(worst, hovh)
    h1 = res[("model-1", "host")]
    print(f"\nhost processes exchanging spikes with the chip every step (SpikeGenerator -> "
          f"Dense -> LIF({HOST_N}) -> SpikeCounter): cpu {med(res[('cpu', 'host')], s):.3f} "
          f"ms/step, model {med(hc, s):.3f} ms/step, host overhead {hovh:.3f} ms/step; "
          f"step by step (batch_steps = 1): model {med(h1, s):.3f} ms/step, host overhead "
          f"{overhead(h1, s):.3f} ms/step")
    pc, p1 = res[("model", "probed")], res[("model-1", "probed")]
    worst = max(worst, overhead(pc, s))
    print(f"Monitors probing chip Vars (LIF({PROBE_N}) -> Dense -> LIF({PROBE_N}), v and u of "
          f"both layers and layer 2's spikes): cpu {med(res[('cpu', 'probed')], s):.3f} "
          f"ms/step, model {med(pc, s):.3f} ms/step, host overhead {overhead(pc, s):.3f} "
          f"ms/step; step by step (batch_steps = 1): model {med(p1, s):.3f} ms/step, host "
          f"overhead {overhead(p1, s):.3f} ms/step")
    big = max(sizes)
    mr = res.get(("model", big))
    ratio = med(mr, s) / med(res[("cpu", big)], s) if mr else float("nan")
    print(f"model/cpu at N={big}: {ratio:.1f}; host overhead: {worst:.3f} ms/step")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=None)
    ap.add_argument("--sizes", default="3,100,1000")
    ap.add_argument("--engines", default="model,compiled")
    ap.add_argument("--cpu-time", action="store_true",
                    help="measure the process's CPU time instead of wall time (a loaded machine)")
    ap.add_argument("--cached-only", action="store_true",
                    help="run the compiled engine only where its model is built (--quick)")
    args = ap.parse_args(argv)
    if args.cpu_time:
        chip_node.CLOCK = time.process_time
    args.steps = args.steps or (200 if args.quick else 1000)
    args.repeats = args.repeats or (1 if args.quick else 3)
    sizes = [int(v) for v in args.sizes.split(",")]
    engines = [e for e in args.engines.split(",") if e]
    args.compiled_ok = {}
    if "compiled" in engines:
        for n in sizes:
            if (args.quick or args.cached_only) and not compiled_cached(n):
                args.compiled_ok[n] = False
                w, h = mesh_of(n)
                print(f"N={n}: compiled engine skipped (--quick/--cached-only): the {w} x {h} chip's "
                      f"model is not built yet (a cold build takes minutes to hours)",
                      file=sys.stderr)
    res = collect(args, sizes, engines)
    report(res, args, sizes, engines)


if __name__ == "__main__":
    main()
