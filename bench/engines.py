"""The chip engines side by side: the Amaranth simulator ("pysim"), the
compiled model on both back ends ("compiled" with backend "verilator" and
"cxxrtl") and the golden numpy model ("model") run the same compiled
networks, and must agree.

Networks (compiled by kilauea.compiler.compile_network for a 2 x 2 chip of
the default ChipParams, the shape ChipCfg uses):

- walkthrough: docs/walkthrough.py's network in fixed point, LIF(3) ->
  Dense -> LIF(2), spikes of the second layer to a host sink;
- big: 1000 LIF neurons with a random recurrent Dense of about 100k nonzero
  weights (about 25 k synapses per core).

For each engine: cycles per second (clock cycles of the steps divided by
the wall time of the steps) and steps per second. pysim runs a few steps
only (it is slow); the compiled engine and the golden model run more, and
all engines' host spikes and Vars (u, v) are compared on the common steps.
For the compiled engine, the Python overhead per step is the step's wall
time outside the C++ model. The last line is the ratio of the compiled
engine's cycles/s to pysim's on the big network.

Cold builds (``--cold-builds``, default 1x1,2x2; ``--big-meshes`` adds 4x4,
8x8 and 16x16): each mesh's compiled model built from nothing (a fresh cache
folder, one process per build, Verilator's run-time library included) by
each back end of ``--cold-backends`` (default verilator; ``--runtime-cached``
builds each mesh again with only that library cached, as a new chip shape
does on a machine that has built one before): wall time, CPU time and peak memory (the largest
resident set of the build's processes: Python, yosys, verilator, g++), with
the machine's load average at the start (on a shared machine, CPU time is
the steadier figure). ``--big-meshes`` then runs the walkthrough network on
8x8 and 16x16 (compiled engine against the golden model, 20 steps).

    .venv/bin/python bench/engines.py [--pysim-steps 3] [--steps 100]
    .venv/bin/python bench/engines.py --big-meshes --no-run
"""
from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import numpy as np


#: the compiled engine's back ends, each run as its own engine
BACKENDS = ("verilator", "cxxrtl")


def networks():
    from kilauea import Dense, LIF
    from kilauea.proc.io.sink import RingBuffer as Sink

    rng = np.random.default_rng(0)
    lif1 = LIF(shape=(3,), vth=10, dv=410, du=410, bias_mant=(110, 120, 130), name="lif1")
    dense = Dense(weights=rng.integers(1, 16, (2, 3)), name="dense")
    lif2 = LIF(shape=(2,), vth=100, dv=410, du=410, bias_mant=0, name="lif2")
    sink = Sink(shape=(2,), buffer=1000)
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    lif2.s_out.connect(sink.a_in)
    walk = ("walkthrough LIF(3)->Dense->LIF(2)", lif1, [lif1, lif2])

    n = 1000
    w = rng.integers(-24, 40, (n, n))
    w[rng.random((n, n)) >= 0.1] = 0              # about 100 k synapses
    big = LIF(shape=(n,), vth=200, dv=300, du=600, bias_mant=rng.integers(0, 60, n),
              bias_exp=2, name="big")
    rec = Dense(weights=w, name="recurrent")
    big.s_out.connect(rec.s_in)
    rec.a_out.connect(big.a_in)
    return [walk, (f"big {n} LIF, {int((w != 0).sum())} synapses", big, [big])]


def compile_one(root, params):
    from kilauea import ChipCfg, compile_network
    from kilauea.runtime.builder import build_network
    net = build_network(root, ChipCfg(engine="model", params=params))
    return compile_network(net, params)


def read_vars(eng, cn, procs):
    out = {}
    for p in procs:
        for name in ("u", "v"):
            slot = cn.var_slot(p, name)
            copy = slot.copies[0]
            x, y, addr = copy.x, copy.y, copy.addr
            vals = np.zeros(len(addr), np.int64)
            for tile in set(zip(x.tolist(), y.tolist())):
                sel = (x == tile[0]) & (y == tile[1])
                vals[sel] = eng.read_words(tile, copy.mem, addr[sel])
            out[p.name, name] = vals.tolist()
    return out


def run(engine, cn, procs, steps: int, probe_at: int):
    """Step `engine` through `steps` steps: host spikes per step, wall time of
    the steps (reads excluded), cycles, Vars after step `probe_at` and at the end."""
    engine.load_images(cn.images)
    spikes, cycles, wall, native, probes = [], 0, 0.0, 0.0, {}
    empty = np.zeros(0, np.uint64)
    for t in range(1, steps + 1):
        n0 = getattr(engine, "native_seconds", 0.0)
        t0 = time.perf_counter()
        r = engine.step(t, empty)
        wall += time.perf_counter() - t0
        native += getattr(engine, "native_seconds", 0.0) - n0
        spikes.append(sorted(zip(r.host_axon.tolist(), r.host_payload.tolist())))
        cycles += r.cycles or 0
        if t in (probe_at, steps):
            probes[t] = read_vars(engine, cn, procs)
    return dict(spikes=spikes, wall=wall, cycles=cycles, steps=steps, probes=probes,
                native=native)


COLD_BUILD = """
import sys
from kilauea.hw.params import ChipParams
from kilauea.sim.engines.compiled import chip_model_path
w, h = map(int, sys.argv[1].split("x"))
chip_model_path(ChipParams().with_(mesh_w=w, mesh_h=h), backend=sys.argv[2])
"""


@dataclass(frozen=True)
class ColdBuild:
    """One cold build: wall seconds, CPU seconds (user + system, the build's
    processes together), the largest resident set of one of its processes
    (MB) and the one-minute load average when it started."""
    mesh: str
    backend: str
    wall_s: float
    cpu_s: float
    peak_mb: float
    load: float


def cold_build(mesh: str, backend: str, root: str, runtime_from: str | None = None) -> ColdBuild:
    """Build `mesh`'s model with `backend` in a fresh cache folder under
    `root`, in a child process (Python, yosys, verilator, make, g++ all its
    descendants). `runtime_from`: a cache folder whose Verilator run-time
    library (``libverilated.a``, shared by all shapes) the fresh folder starts
    with (a new chip shape on a machine that has built one before)."""
    load = os.getloadavg()[0]
    cache = os.path.join(root, f"{backend}-{mesh}" + ("-runtime-cached" if runtime_from else ""))
    if runtime_from:
        shutil.copytree(os.path.join(runtime_from, "cxxrtl", "verilator-runtime"),
                        os.path.join(cache, "cxxrtl", "verilator-runtime"))
    env = dict(os.environ, KILAUEA_CACHE=cache)
    t0 = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", COLD_BUILD, mesh, backend], env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"the cold {backend} build of {mesh} failed")
    return ColdBuild(mesh, backend, wall, usage.ru_utime + usage.ru_stime,
                     usage.ru_maxrss / 1024, load)


def cold_builds(meshes: list[str], backends: list[str], root: str,
                check: tuple[str, ...] = (), runtime_cached: bool = False) -> list[ColdBuild]:
    """Cold builds of each of `meshes` by each of `backends`; after the
    Verilator build of a mesh in `check`, `mesh_check` on it. With
    `runtime_cached`, each Verilator mesh is built a second time in a fresh
    folder holding only the run-time library of the first build."""
    print(f"\n== cold builds of the compiled model (fresh cache, one process each; "
          f"{os.cpu_count()} cores)")
    out = []
    for backend in backends:
        for mesh in meshes:
            b = cold_build(mesh, backend, root)
            out.append(b)
            _print_build(b, "")
            if backend == "verilator" and mesh in check:
                mesh_check(mesh, 20, os.path.join(root, f"verilator-{mesh}"))
            if backend == "verilator" and runtime_cached:
                b = cold_build(mesh, backend, root, os.path.join(root, f"verilator-{mesh}"))
                out.append(b)
                _print_build(b, " (a new shape: run-time library cached)")
    return out


def _print_build(b: ColdBuild, note: str) -> None:
    print(f"   {b.backend:9s} {b.mesh:>6s}: {b.wall_s:7.1f} s wall  {b.cpu_s:7.1f} s CPU  "
          f"peak {b.peak_mb:6.0f} MB  (load {b.load:.1f} at the start){note}", flush=True)


def mesh_check(mesh: str, steps: int, cache: str) -> None:
    """The walkthrough network on a `mesh` chip (the compiled model the cold
    build left in `cache`): the compiled engine's host spikes and Vars equal
    the golden model's on every step."""
    user_cache = os.environ.get("KILAUEA_CACHE")
    os.environ["KILAUEA_CACHE"] = cache
    try:
        _check_networks(mesh, steps)
    finally:
        if user_cache is None:
            del os.environ["KILAUEA_CACHE"]
        else:
            os.environ["KILAUEA_CACHE"] = user_cache


def _check_networks(mesh: str, steps: int) -> None:
    from kilauea.hw.params import ChipParams
    from kilauea.sim.engines import make_engine
    w, h = map(int, mesh.split("x"))
    params = ChipParams().with_(mesh_w=w, mesh_h=h)
    for label, root, procs in networks()[:1]:    # the big one: minutes per step on 8 x 8
        cn = compile_one(root, params)
        res = {}
        for kind in ("compiled", "model"):
            with make_engine(kind, params) as eng:
                res[kind] = run(eng, cn, procs, steps, steps // 2)
        c, m = res["compiled"], res["model"]
        assert c["spikes"] == m["spikes"] and c["probes"] == m["probes"], \
            f"{mesh}: compiled and model differ on {label}"
        print(f"   {mesh}: {label}: compiled == model over {steps} steps "
              f"({sum(map(len, c['spikes']))} host spikes, {c['cycles'] / c['wall']:.0f} cycles/s)")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pysim-steps", type=int, default=3)
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--cold-builds", default="1x1,2x2",
                    help="meshes to build cold (default 1x1,2x2; '' for none)")
    ap.add_argument("--big-meshes", action="store_true",
                    help="also build 4x4, 8x8 and 16x16 cold (minutes each) and run the "
                         "walkthrough network on 8x8 and 16x16")
    ap.add_argument("--cold-backends", default="verilator", help="verilator,cxxrtl")
    ap.add_argument("--runtime-cached", action="store_true",
                    help="also build each mesh (verilator) with Verilator's run-time library "
                         "already cached, as a new chip shape does after a first build")
    ap.add_argument("--no-run", action="store_true", help="cold builds only")
    args = ap.parse_args(argv)
    meshes = [m for m in args.cold_builds.split(",") if m]
    if args.big_meshes:
        meshes += [m for m in ("4x4", "8x8", "16x16") if m not in meshes]
    with tempfile.TemporaryDirectory(prefix="kilauea-cold-") as root:
        cold_builds(meshes, args.cold_backends.split(","), root,
                    check=("8x8", "16x16") if args.big_meshes else (),
                    runtime_cached=args.runtime_cached)
    if args.no_run:
        return 0

    from kilauea.hw.params import ChipParams
    from kilauea.sim.engines import make_engine

    params = ChipParams().with_(mesh_w=2, mesh_h=2)
    for backend in BACKENDS:
        t0 = time.perf_counter()
        make_engine("compiled", params, backend=backend).close()   # build (or find) first
        print(f"compiled model ({backend}) ready in {time.perf_counter() - t0:.1f} s")
    ratio = None
    for label, root, procs in networks():
        cn = compile_one(root, params)
        used = sorted(cn.images)
        print(f"\n== {label} on {len(used)} core(s) of a {params.mesh_w} x {params.mesh_h} chip")
        res = {}
        n = args.pysim_steps
        for name, steps in (("pysim", n), *((b, args.steps) for b in BACKENDS),
                            ("model", args.steps)):
            gc.collect()     # the previous engine's garbage must not be timed here
            kind, opts = ("compiled", {"backend": name}) if name in BACKENDS else (name, {})
            with make_engine(kind, params, **opts) as eng:
                res[name] = run(eng, cn, procs, steps, n)
        # agreement: both back ends and model on every step; pysim on its steps
        c, m, p = res["verilator"], res["model"], res["pysim"]
        for b in BACKENDS:
            assert res[b]["spikes"] == m["spikes"], f"compiled ({b}) and model spikes differ"
            assert res[b]["probes"] == m["probes"], f"compiled ({b}) and model Vars differ"
        assert p["spikes"] == c["spikes"][:n], "pysim and compiled spikes differ"
        assert p["probes"][n] == c["probes"][n], "pysim and compiled Vars differ"
        n_spikes = sum(len(s) for s in c["spikes"])
        print(f"   engines agree (host spikes over {args.steps} steps: {n_spikes}; Vars u, v)")
        for name in ("pysim", *BACKENDS, "model"):
            r = res[name]
            cps = r["cycles"] / r["wall"] if r["cycles"] else float("nan")
            line = (f"   {name:9s} {r['steps']:4d} steps  {r['steps'] / r['wall']:10.1f} steps/s"
                    f"  {cps:12.0f} cycles/s")
            if r["cycles"]:
                line += f"  ({r['cycles'] / r['steps']:.0f} cycles/step)"
            if name in BACKENDS:
                over = (r["wall"] - r["native"]) / r["native"]
                line += f"  Python overhead {100 * over:.1f}% of the C++ time"
            print(line)
        cps = {b: res[b]["cycles"] / res[b]["wall"] for b in (*BACKENDS, "pysim")}
        ratio = cps["verilator"] / cps["pysim"]
        print(f"   compiled (verilator) / pysim: {ratio:.0f}x; verilator / cxxrtl: "
              f"{cps['verilator'] / cps['cxxrtl']:.2f}x (cycles/s)")
        over = (c["wall"] - c["native"]) / c["native"]
    print(f"targets on the big network: compiled >= 300 x pysim: "
          f"{'met' if ratio >= 300 else 'NOT met'}; Python overhead < 10% of the compiled "
          f"step: {'met' if over < 0.1 else 'NOT met'} ({100 * over:.1f}%)")
    print(f"compiled / Amaranth simulator (big network, cycles/s): {ratio:.0f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
