"""Seeded differential fuzzing: random networks with extreme parameters on
the CPU fixed-point models, on the chip's golden model and (``--compiled``)
on the chip RTL, compared on every spike and every probed Var, every step;
with ``--inject K``, 1..K random garbage packets per network injected into
the RTL between and among a step's flits (bench/fuzz_inject.py).

    .venv/bin/python bench/fuzz.py [--networks 200] [--seed 0] [--steps 24]
                                   [--compiled] [--inject 3] [--pysim]
                                   [--moderate] [--out fuzz-repro]
    .venv/bin/python bench/fuzz.py --repro fuzz-repro/net-17-model.json

A network is a chain of 1-3 layers (LIF, LIFReset, LIFRefractory,
GradedVec, SigmaDelta) fed by a host RingBuffer (binary or graded, values up
to the 24-bit payload), joined by Dense / Sparse / DelayDense (binary or
graded, weights and exponents at their limits, delays up to 14), with
optional recurrent self-connections. Parameters are drawn from each range's
ends as often as from its inside.

Engines: network `seed` runs on the mesh shape SHAPES[seed % 3] (2 x 2,
1 x 1, 2 x 1; default capacities) on the golden model and, with
``--compiled``, on the compiled RTL (one build per shape, cached; pysim with
``--pysim`` or where no C++ compiler is found); and on the golden model of a
1 x 1 chip of small capacities (`TIGHT`), which random networks fill or
overflow (the compiler's capacity checks).

Outcomes: ``equal``; ``chip-rejected`` (a CompileError: the chip cannot hold
it, counted by reason); ``chip-flagged`` (a ChipStatusError: the chip flags
an overflow the CPU wraps; the steps before it must still be equal);
``host-rejected`` (the chip refuses a host value beyond 24 bits);
``both-raised``; ``known difference`` (in or after a layer fed by a graded
DelayDense whose sum the compiler warned can pass the chip's 32-bit
accumulator: lava-nc's DelayDense does not wrap, the chip does;
docs/errors.md); a **mismatch** is any other difference in a compared step,
or one side raising where the other does not. Every mismatch is written to
``--out`` as a JSON reproduction cut at its first differing step; every
harmful injected packet as ``inject-<seed>-<k>.json``.

Coverage counts printed: layer kinds and connection types, parameters at
their ends, capacities a core reached (>= 75 % or full, on each chip),
compiler rejections and warnings, overflow paths (a Var past 24 / 32 bits,
a CPU model raising), error flags the chips raised, garbage categories
injected and the flags and answers they drew.

Found so far (extreme profile, seeds 0..199 before the fixes: 24
mismatches; the moderate profile, `--moderate`, 0): a LIF `u` beyond 24
bits after its single wrap differed by 2**25 (seed 3: the CPU model did not
wrap `a_in << 6` at int32 as lava-nc does; fixed); a GradedVec whose `v`
passes 24 bits sends a payload the CPU model refuses while the chip wraps
(seeds 37, 97: a graded step sum beyond int32). Seed 97 (Dense) is fixed:
the CPU model wraps as lava-nc does. Seed 37 (DelayDense, whose lava-nc sum
does not wrap) is the known difference. Final line::

    fuzz: N networks, M mismatches, K packets injected, J harmful
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import pathlib
import signal
import sys
import time
import typing as ty

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))   # fuzz_cover, fuzz_inject
from fuzz_cover import (Tally, cover_compile, cover_overflows,  # noqa: E402
                        known_difference)

#: the compiled engine's mesh shapes (default capacities; one build each,
#: cached): network `seed` runs on SHAPES[seed % 3]
SHAPES = ((2, 2), (1, 1), (2, 1))
#: a chip with small capacities (golden model only: no build) that random
#: networks reach or exceed, for the capacity checks of the compiler
TIGHT = dict(n_compartments=16, n_synapses=256, n_axons=32, n_fanout=32, n_profiles=4)
LIF_KINDS = ("lif", "reset", "refr")
LAYER_KINDS = LIF_KINDS + ("graded", "sdn")
GRADED_OUT = ("graded", "sdn")


@dataclasses.dataclass(frozen=True)
class Layer:
    """One population: `kind` in LAYER_KINDS, `n` neurons, constructor
    keyword arguments `params` (lists for per-neuron values)."""
    kind: str
    n: int
    params: dict


@dataclasses.dataclass(frozen=True)
class Conn:
    """A connection from layer `src` (-1: the host source) to layer `dst`:
    `kind` dense / sparse / delay, `weights` (dst x src), `weight_exp`,
    `delays` (delay only), `graded` (num_message_bits 24)."""
    kind: str
    src: int
    dst: int
    weights: list
    weight_exp: int
    delays: ty.Optional[list]
    graded: bool


@dataclasses.dataclass(frozen=True)
class Net:
    """A whole network: the host source's data (n_in x period), layers,
    connections, steps to run."""
    seed: int
    steps: int
    source: list
    source_graded: bool
    layers: tuple
    conns: tuple

    def to_json(self) -> str:
        d = dataclasses.asdict(self)
        return json.dumps(d, indent=1)

    @staticmethod
    def from_json(text: str) -> "Net":
        d = json.loads(text)
        d["layers"] = tuple(Layer(**x) for x in d["layers"])
        d["conns"] = tuple(Conn(**x) for x in d["conns"])
        return Net(**d)


# ------------------------------------------------------------ random networks
def _edge(rng, lo: int, hi: int, inside: tuple | None = None) -> int:
    """An int in lo..hi: an end of the range half the time."""
    if rng.random() < 0.5:
        return int(rng.choice([lo, hi]))
    a, b = inside or (lo, hi)
    return int(rng.integers(a, b + 1))


def _layer(rng, kind: str) -> Layer:
    n = int(rng.integers(1, 9))
    if kind in LIF_KINDS:
        p = dict(du=_edge(rng, 0, 4095), dv=_edge(rng, 0, 4095),
                 vth=_edge(rng, 0, (1 << 17) - 1, (1, 300)),
                 bias_mant=[_edge(rng, -4096, 4095, (-50, 100)) for _ in range(n)],
                 bias_exp=[_edge(rng, -8, 7, (0, 6)) for _ in range(n)])
        if kind == "reset":
            p.update(reset_interval=int(rng.integers(1, 9)), reset_offset=int(rng.integers(0, 9)))
        if kind == "refr":
            p.update(refractory_period=int(rng.integers(1, 6)))
        return Layer(kind, n, p)
    if kind == "graded":
        return Layer(kind, n, dict(vth=_edge(rng, 0, (1 << 24) - 1, (0, 1000))))
    spike_exp, state_exp = int(rng.integers(0, 3)), int(rng.integers(0, 3))
    scale = 1 << (spike_exp + state_exp)
    vth_max = ((1 << 17) - 1) // scale
    b_max = 4095 // scale
    return Layer(kind, n, dict(vth=_edge(rng, 0, vth_max, (1, 200)),
                               bias=[_edge(rng, -b_max, b_max, (-20, 20)) for _ in range(n)],
                               spike_exp=spike_exp, state_exp=state_exp,
                               act_mode=int(rng.integers(0, 2)),
                               cum_error=bool(rng.integers(0, 2))))


def _conn(rng, src: int, n_src: int, dst: int, n_dst: int, graded: bool) -> Conn:
    kind = str(rng.choice(["dense", "sparse", "delay"]))
    style = rng.integers(0, 4)
    if style == 0:
        w = rng.integers(-256, 256, (n_dst, n_src))
    elif style == 1:
        w = np.full((n_dst, n_src), int(rng.choice([-256, 255])))
    else:
        w = rng.integers(-40, 80, (n_dst, n_src))
    w = w * (rng.random(w.shape) < rng.uniform(0.3, 1.0))
    delays = None
    if kind == "delay":
        values = rng.choice(np.arange(0, 15), size=int(rng.integers(1, 3)), replace=False)
        delays = rng.choice(values, size=w.shape).astype(int).tolist()
    return Conn(kind, src, dst, w.astype(int).tolist(), _edge(rng, -8, 7, (-2, 3)), delays,
                graded)


def random_net(seed: int, steps: int, extreme: bool = True) -> Net:
    """The network of `seed` (the same seed gives the same network).
    `extreme=False`: graded host values up to 2**8 and weight exponents up
    to 0, so that states stay inside their 24 bits (the CI profile)."""
    rng = np.random.default_rng(seed)
    kinds = [str(rng.choice(LAYER_KINDS)) for _ in range(int(rng.integers(1, 4)))]
    layers = tuple(_layer(rng, k) for k in kinds)
    n_in = int(rng.integers(1, 7))
    graded_src = bool(rng.random() < 0.4)
    if graded_src:
        top = int(rng.choice([1 << 8, 1 << 16, (1 << 23) - 1])) if extreme else 1 << 8
        data = rng.integers(-top, top + 1, (n_in, 9))
    else:
        data = (rng.random((n_in, 9)) < 0.5).astype(int)
    conns = [_conn(rng, -1, n_in, 0, layers[0].n, graded_src)]
    for i in range(1, len(layers)):
        conns.append(_conn(rng, i - 1, layers[i - 1].n, i, layers[i].n,
                           layers[i - 1].kind in GRADED_OUT))
    if not extreme:
        conns = [dataclasses.replace(c, weight_exp=min(c.weight_exp, 0)) for c in conns]
    for i, lay in enumerate(layers):
        if rng.random() < 0.25:     # recurrent, with the forward input's exponent
            c = _conn(rng, i, lay.n, i, lay.n, lay.kind in GRADED_OUT)
            fwd = conns[i].weight_exp
            conns.append(dataclasses.replace(c, weight_exp=fwd, kind="dense", delays=None))
    return Net(seed, steps, data.tolist(), graded_src, layers, tuple(conns))


# ------------------------------------------------------------ building, running
def build(net: Net):
    """The processes of `net`: (root, layers, monitors [(name, Var, Monitor)])."""
    from scipy import sparse as sp

    from kilauea import (LIF, Dense, DelayDense, GradedVec, LIFRefractory, LIFReset,
                         Monitor, SigmaDelta, Sparse)
    from kilauea.proc.io import source
    from kilauea.proc.sdn.process import ActivationMode

    src = source.RingBuffer(data=np.array(net.source, dtype=np.int32), name="SRC")
    procs = []
    for i, lay in enumerate(net.layers):
        p = dict(lay.params, shape=(lay.n,), name=f"L{i}")
        if lay.kind in LIF_KINDS:
            cls = {"lif": LIF, "reset": LIFReset, "refr": LIFRefractory}[lay.kind]
            procs.append(cls(**p))
        elif lay.kind == "graded":
            procs.append(GradedVec(**p))
        else:
            p["act_mode"] = ActivationMode(p["act_mode"])
            procs.append(SigmaDelta(**p))
    for k, c in enumerate(net.conns):
        w = np.array(c.weights, dtype=int)
        kw = dict(weight_exp=c.weight_exp, num_message_bits=24 if c.graded else 0, name=f"C{k}")
        if c.kind == "delay":
            conn = DelayDense(weights=w, delays=np.array(c.delays, dtype=np.int32), **kw)
        elif c.kind == "sparse":
            conn = Sparse(weights=sp.csr_matrix(w), **kw)
        else:
            conn = Dense(weights=w, **kw)
        (src.s_out if c.src < 0 else procs[c.src].s_out).connect(conn.s_in)
        conn.a_out.connect(procs[c.dst].a_in)
    mons = []
    for lay, proc in zip(net.layers, procs):
        names = {"graded": ("v",), "sdn": ("sigma", "act")}.get(lay.kind, ("u", "v"))
        for name in names + ("s_out",):
            m = Monitor()
            m.probe(getattr(proc, name), net.steps)
            mons.append((f"{proc.name}.{name}", m, proc.name, name))
    return src, procs, mons


@dataclasses.dataclass(frozen=True)
class Outcome:
    """One engine's run: recordings {name: array[steps, n]}, or the error
    (`kind`: None, "compile", "flag", "host", "other"; `step`: where)."""
    rec: dict
    kind: ty.Optional[str] = None
    error: str = ""
    step: ty.Optional[int] = None


def run_on(net: Net, cfg) -> Outcome:
    """Run `net` under run configuration `cfg`."""
    from kilauea import RunSteps
    from kilauea.compiler import CompileError
    from kilauea.runtime.chip import ChipStatusError
    root, _, mons = build(net)
    kind, err, step = None, "", None
    try:
        root.run(condition=RunSteps(num_steps=net.steps), run_cfg=cfg)
    except CompileError as e:
        return Outcome({}, "compile", str(e).split("\n")[0][:160])
    except ChipStatusError as e:
        kind, err, step = "flag", ",".join(e.flags), e.time_step
    except Exception as e:       # noqa: BLE001 - classified, reported
        msg = f"{type(e).__name__}: {e}"
        kind = "host" if "the chip cannot take" in msg else "other"
        err, step = msg.split("\n")[0][:200], getattr(e, "time_step", None)
    rec = {}
    try:
        for name, m, proc, var in mons:
            rec[name] = np.asarray(m.get_data()[proc][var]).reshape(net.steps, -1)
    except Exception:            # noqa: BLE001 - a failed runtime may hold no data
        rec = {}
    try:
        root.stop()
    except Exception:            # noqa: BLE001
        pass
    return Outcome(rec, kind, err, step)


def first_difference(a: Outcome, b: Outcome, upto: int) -> ty.Optional[tuple]:
    """(step, name, element, a value, b value) of the first difference in
    steps 1..upto, or None."""
    first = None
    for name in b.rec:
        x, y = a.rec.get(name), b.rec[name]
        if x is None or x.shape != y.shape:
            return (1, name, 0, None, None)
        d = np.argwhere(x[:upto] != y[:upto])
        if d.size and (first is None or d[0][0] + 1 < first[0]):
            t, i = d[0]
            first = (int(t) + 1, name, int(i), float(x[t, i]), float(y[t, i]))
    return first


# ------------------------------------------------------------ the campaign
def check(net: Net, engines: dict, tally: Tally, out: ty.Optional[pathlib.Path],
          warnings: ty.Sequence[str] = ()) -> bool:
    """Run `net` on the CPU and every engine; True when no mismatch.
    `warnings`: the compiler's report on the network; a difference in or
    after a layer fed by a graded DelayDense whose sum the compiler warned
    can pass the chip's 32-bit accumulator is the documented known
    difference (docs/errors.md), counted apart, not a mismatch."""
    from kilauea import CpuSimCfg
    cpu = run_on(net, CpuSimCfg(select_tag="fixed_pt"))
    cover_overflows(tally, cpu)
    ok = True
    for label, cfg in engines.items():
        chip = run_on(net, cfg)
        tag = chip.kind or "equal"
        if chip.kind == "compile":
            tally.coverage[f"compile rejected: {chip.error[:60]}"] += 1
        if chip.kind == "flag":
            tally.coverage[f"error flag {chip.error}"] += 1
        upto = net.steps
        bad = None
        if chip.kind in ("flag", "host", "other") and chip.step is not None:
            upto = chip.step - 1
        if chip.kind == "compile":
            pass
        elif cpu.kind == "other" and chip.kind not in ("other", "host", "flag"):
            bad = (cpu.step or 1, "cpu raised", 0, cpu.error, None)
        elif chip.kind == "other" and cpu.kind != "other":
            bad = (chip.step or 1, f"{label} raised", 0, chip.error, None)
        elif cpu.kind == "other":           # both refuse: the steps before must agree
            tag = "both-raised"
            if chip.rec and cpu.rec and cpu.step is not None:
                bad = first_difference(chip, cpu, min(upto, cpu.step - 1))
        elif chip.rec:
            bad = first_difference(chip, cpu, upto)
        if bad is not None and known_difference(bad, warnings):
            tag, bad = "known difference (graded DelayDense sum past int32, warned)", None
        tally.outcomes[f"{label}: {tag}"] += 1
        if bad is not None:
            ok = False
            tally.outcomes[f"{label}: MISMATCH"] += 1
            what = (f"{bad[1]}: {bad[3]}" if bad[1].endswith("raised") else
                    f"{bad[1]}[{bad[2]}] chip {bad[3]} cpu {bad[4]}")
            print(f"  seed {net.seed} on {label}: first difference at step {bad[0]}: {what}",
                  flush=True)
            if out is not None:
                write_repro(out, dataclasses.replace(net, steps=max(1, bad[0])), label, bad)
    return ok


def compile_for(net: Net, params):
    """The compiled network of `net` on a chip `params` (None when rejected)
    and the compiler's warnings."""
    from kilauea import ChipCfg
    from kilauea.compiler import CompileError, compile_network
    from kilauea.runtime.builder import build_network
    src, _, _ = build(net)
    try:
        cn = compile_network(build_network(src, ChipCfg(engine="model", params=params)), params)
    except CompileError:
        return None, []
    return cn, list(cn.report.warnings)


def host_values(net: Net):
    """The host source's value at step t (a RingBuffer: column (t-1) mod period)."""
    data = np.asarray(net.source, dtype=np.int64)
    return lambda hi, t: data[:, (t - 1) % data.shape[1]]


def write_repro(folder: pathlib.Path, net: Net, engine: str, bad: tuple) -> pathlib.Path:
    """A JSON reproduction (the network cut at its first differing step)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"net-{net.seed}-{engine}.json"
    path.write_text(json.dumps({"engine": engine, "difference": [str(x) for x in bad],
                                "net": json.loads(net.to_json())}, indent=1))
    return path


def shape_of(seed: int) -> tuple:
    return SHAPES[seed % len(SHAPES)]


def chip_params(mesh: tuple, tight: bool = False):
    from kilauea.hw.params import ChipParams
    return ChipParams(mesh_w=mesh[0], mesh_h=mesh[1], **(TIGHT if tight else {}))


def engines_for(compiled: bool, seed: int = 0, rtl: str = "compiled") -> dict:
    """Run configurations of network `seed`: the golden model on its mesh
    shape and on the tight chip; the RTL engine `rtl` with `compiled`."""
    from kilauea import ChipCfg
    mesh = shape_of(seed)
    engines = {"model": ChipCfg(engine="model", params=chip_params(mesh)),
               "model tight": ChipCfg(engine="model", params=chip_params((1, 1), True))}
    if compiled:
        engines[rtl] = ChipCfg(engine=rtl, params=chip_params(mesh))
    return engines


def rtl_engine() -> str:
    """The RTL engine for injection: compiled where it can run, else pysim."""
    from kilauea.sim.engines import compiled_available
    return "compiled" if compiled_available()[0] else "pysim"


def fuzz(n: int, seed: int, steps: int, compiled: bool = False,
         out: ty.Optional[pathlib.Path] = None, quiet: bool = False,
         extreme: bool = True, inject: int = 0, rtl: ty.Optional[str] = None) -> Tally:
    """Check networks seed .. seed + n - 1; the tally of outcomes. `inject`:
    up to that many garbage packets per network into the RTL engine `rtl`
    (default: compiled, or pysim where it cannot run)."""
    tally = Tally()
    rtl = rtl or (rtl_engine() if compiled or inject else "compiled")
    for s in range(seed, seed + n):
        try:
            one_network(s, steps, compiled, out, extreme, inject, rtl, tally)
        except KeyboardInterrupt:     # SIGINT: stop; the tally covers the networks done
            print(f"  interrupted in network {s}", flush=True)
            tally.interrupted = True
            break
        tally.networks += 1
        if not quiet and (s - seed + 1) % 10 == 0:
            print(f"  {s - seed + 1} networks, {tally.mismatches} mismatches, "
                  f"{tally.injected} packets injected, {tally.harmful} harmful", flush=True)
    return tally


def one_network(s: int, steps: int, compiled: bool, out, extreme: bool, inject: int,
                rtl: str, tally: Tally) -> None:
    """Check network `s` on every engine (and inject into the RTL)."""
    import fuzz_inject
    net = random_net(s, steps, extreme)
    tally.cover(net)
    cn, warnings = compile_for(net, chip_params(shape_of(s)))
    cover_compile(tally, cn, warnings, "chip")
    cover_compile(tally, compile_for(net, chip_params((1, 1), True))[0], [], "tight chip")
    if not check(net, engines_for(compiled, s, rtl), tally, out, warnings):
        tally.mismatches += 1
    if inject and cn is not None:
        r = fuzz_inject.inject_check(cn, rtl, net.steps, host_values(net),
                                     np.random.default_rng(s + 7_000_003), inject,
                                     net.to_json(), out)
        tally.injected += r.injected
        tally.harmful += r.harmful
        tally.coverage.update(r.coverage)


def summary(t: Tally) -> str:
    return (f"fuzz: {t.networks} networks, {t.mismatches} mismatches, "
            f"{t.injected} packets injected, {t.harmful} harmful")


def repro(path: pathlib.Path) -> int:
    """Rerun one reproduction file; 0 when it no longer differs."""
    import fuzz_inject
    d = json.loads(path.read_text())
    net = Net.from_json(json.dumps(d["net"]))
    if "inject" in d:
        cn, _ = compile_for(net, chip_params(shape_of(net.seed)))
        why = fuzz_inject.rerun_inject(cn, d["engine"], net.steps, host_values(net),
                                       fuzz_inject.Shot(**d["inject"]))
        print(f"reproduced: {why}" if why else "no longer differs")
        return 0 if why is None else 1
    engines = engines_for(d["engine"] not in ("model", "model tight"), net.seed, d["engine"])
    ok = check(net, {k: v for k, v in engines.items() if k == d["engine"]}, Tally(), None,
               compile_for(net, chip_params(shape_of(net.seed)))[1])
    print("reproduced" if not ok else "no longer differs")
    return 0 if ok else 1


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--networks", type=int, default=200)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--steps", type=int, default=24)
    ap.add_argument("--compiled", action="store_true", help="also the compiled RTL engine")
    ap.add_argument("--out", type=pathlib.Path, default=pathlib.Path("fuzz-repro"))
    ap.add_argument("--moderate", action="store_true",
                    help="keep states inside 24 bits (the CI profile)")
    ap.add_argument("--repro", type=pathlib.Path, help="rerun one reproduction file")
    ap.add_argument("--inject", type=int, default=0, metavar="K",
                    help="inject 1..K garbage packets per network into the RTL")
    ap.add_argument("--pysim", action="store_true",
                    help="the Amaranth-simulator engine instead of the compiled one")
    a = ap.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # also when started in the background
    if a.repro is not None:
        return repro(a.repro)
    t0 = time.perf_counter()
    tally = fuzz(a.networks, a.seed, a.steps, a.compiled, a.out, extreme=not a.moderate,
                 inject=a.inject, rtl="pysim" if a.pysim else None)
    print(f"time: {time.perf_counter() - t0:.1f} s")
    print("outcomes:")
    for k, v in sorted(tally.outcomes.items()):
        print(f"  {k}: {v}")
    print("coverage:")
    for k, v in sorted(tally.coverage.items()):
        print(f"  {k}: {v}")
    print(summary(tally) + (" (interrupted)" if tally.interrupted else ""))
    return 0 if tally.mismatches == 0 and tally.harmful == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
