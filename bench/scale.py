"""Scale: compile and run 10k, 30k and 100k-neuron networks on the model engine.

The network: two LIF layers of N/2 neurons each, LIF(N/2) -> Sparse -> LIF(N/2),
layer 1 driven by a bias; the Sparse projection gives every layer-2 neuron
200 random inputs (random weights) from the layer-1 neurons of its block
(blocks of BLOCK neurons: block-diagonal random connectivity), so the
network holds 100 synapses per neuron (N * 100 in all). (Random inputs from
the whole layer would need an axon per source neuron on every core, 4096
at most: a 100k-neuron network would need thousands of cores.) It runs on
the smallest square mesh (up to 16 x 16) that the compiler accepts it on
(starting from the cores its compartments and synapses need; on a refusal,
the mesh with the cores the compiler says it needs).

Per N prints: the mesh, the cores used, synapses, the compile time (the
compiler alone, `compile_network`), the time of the first run (compile
again + engine + image load + one step), steps/s of the model engine over
``--steps`` steps through the Lava API, and the peak RSS of the process
(MiB, `resource.getrusage`; each N runs in its own subprocess so the figure
is that N's). Times are the process's CPU time (`time.process_time`): on a
machine shared with other jobs, wall time mostly measures the others. Compile time per synapse is printed so that its growth
can be read off the table (about linear: a roughly constant us/synapse).

    .venv/bin/python bench/scale.py [--quick] [--sizes 10000,30000,100000] [--steps 100]

``--quick``: one 2000-neuron network, 20 steps (a test checks it runs).
"""
from __future__ import annotations

import argparse
import json
import math
import re
import resource
import subprocess
import sys
import time

import numpy as np

FAN_IN = 200                # inputs per layer-2 neuron: 100 synapses per neuron overall
BLOCK = 1000                # layer-2 neurons draw their inputs from their block of layer 1
MAX_SIDE = 16


def network(n: int, seed: int = 0):
    """(lif1, lif2) of LIF(n/2) -> Sparse(fan-in FAN_IN) -> LIF(n/2)."""
    from scipy import sparse
    from kilauea import LIF, Sparse
    h = n // 2
    rng = np.random.default_rng(seed)
    b = min(BLOCK, h)
    if h % b:
        raise SystemExit(f"N/2 = {h} must be a multiple of the block size {b}")
    k = min(FAN_IN, b)
    rows = np.repeat(np.arange(h), k)
    cols = np.concatenate([i + rng.random((b, b)).argpartition(k, axis=1)[:, :k].reshape(-1)
                           for i in range(0, h, b)])       # k distinct sources in the block
    w = rng.integers(-64, 128, rows.size)
    w[w == 0] = 1
    mat = sparse.csr_matrix((w, (rows, cols)), shape=(h, h))
    lif1 = LIF(shape=(h,), bias_mant=rng.integers(100, 131, h), du=410, dv=410, vth=1000,
               bias_exp=6, name="lif1")
    syn = Sparse(weights=mat, weight_exp=-4, name="syn")
    lif2 = LIF(shape=(h,), du=410, dv=410, vth=1000, bias_exp=6, name="lif2")
    lif1.s_out.connect(syn.s_in)
    syn.a_out.connect(lif2.a_in)
    return lif1, lif2, int(mat.nnz)


def meshes(n: int, synapses: int):
    """Square meshes from the smallest whose cores could hold the network."""
    from kilauea.hw.params import ChipParams
    p = ChipParams()
    need = max(n / p.n_compartments, synapses / p.n_synapses)
    side = max(1, math.ceil(math.sqrt(need)))
    return [(s, s) for s in range(side, MAX_SIDE + 1)]


def compile_time(lif1, mesh) -> tuple[float, int]:
    """(seconds, cores used) of `compile_network` alone."""
    from kilauea import ChipCfg
    from kilauea.compiler import compile_network
    from kilauea.runtime.builder import build_network
    cfg = ChipCfg(engine="model", mesh=mesh)
    net = build_network(lif1, cfg)
    t0 = time.process_time()
    compiled = compile_network(net, cfg.params)
    dt = time.process_time() - t0
    used = sum(1 for mems in compiled.images.values() if any(np.any(w) for w in mems.values()))
    return dt, used


def one(n: int, steps: int) -> dict:
    """Compile and run the N-neuron network (in this process)."""
    from kilauea import ChipCfg, RunSteps
    from kilauea.compiler.errors import CompileError
    t0 = time.process_time()
    lif1, lif2, nsyn = network(n)
    build_s = time.process_time() - t0
    side = meshes(n, nsyn)[0][0]
    while True:
        mesh = (side, side)
        try:
            comp_s, cores = compile_time(lif1, mesh)
            break
        except CompileError as e:
            print(f"  N={n}: {side} x {side} refused: {str(e).splitlines()[0]}", file=sys.stderr)
            need = re.search(r"needs (\d+) cores", str(e))
            side = max(side + 1, math.ceil(math.sqrt(int(need.group(1)))) if need else 0)
            if side > MAX_SIDE:
                raise SystemExit(f"N={n}: no mesh up to {MAX_SIDE} x {MAX_SIDE} holds it")
    cfg = ChipCfg(engine="model", mesh=mesh)
    try:
        t0 = time.process_time()
        lif1.run(condition=RunSteps(num_steps=1), run_cfg=cfg)
        first_s = time.process_time() - t0
        t0 = time.process_time()
        lif1.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
        run_s = time.process_time() - t0
    finally:
        lif1.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return dict(n=n, mesh=f"{mesh[0]}x{mesh[1]}", cores=cores, synapses=nsyn,
                build_s=build_s, compile_s=comp_s, first_s=first_s,
                steps_per_s=steps / run_s, rss_mib=rss)


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--sizes", default="10000,30000,100000")
    ap.add_argument("--steps", type=int, default=None)
    ap.add_argument("--one", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    steps = args.steps or (20 if args.quick else 100)
    if args.one is not None:
        print(json.dumps(one(args.one, steps)))
        return
    sizes = [2000] if args.quick else [int(v) for v in args.sizes.split(",")]
    rows = []
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n), "--steps", str(steps)],
                             capture_output=True, text=True)
        sys.stderr.write(out.stderr)
        if out.returncode:
            raise SystemExit(f"N={n} failed (exit {out.returncode})")
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        r = rows[-1]
        print(f"  N={n}: done ({r['compile_s']:.1f} s compile)", file=sys.stderr, flush=True)
    print(f"\nLIF(N/2) -> Sparse (fan-in {FAN_IN}, blocks of {BLOCK}) -> LIF(N/2), engine "
          f"\"model\", {steps} steps; CPU seconds")
    print(f"{'neurons':>8} {'mesh':>6} {'cores':>6} {'synapses':>10} {'compile s':>10} "
          f"{'us/synapse':>11} {'first run s':>12} {'steps/s':>8} {'peak RSS MiB':>13}")
    for r in rows:
        print(f"{r['n']:>8} {r['mesh']:>6} {r['cores']:>6} {r['synapses']:>10} "
              f"{r['compile_s']:>10.2f} {1e6 * r['compile_s'] / r['synapses']:>11.2f} "
              f"{r['first_s']:>12.2f} {r['steps_per_s']:>8.1f} {r['rss_mib']:>13.0f}")


if __name__ == "__main__":
    main()
