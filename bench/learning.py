"""Plastic networks on the CPU models: kilauea against lava-nc 0.10, ms per step.

    .venv/bin/python bench/learning.py [--steps 100] [--lava-python PATH] [--only NAME]

Two networks with 100k plastic synapses and STDP (``STDPLoihi``), each with
``t_epoch`` 1 and 10, in fixed point (the bit-approximate models; the float models
with ``--tag floating_pt``):

- ``sparse``: LIF(500) -> LearningSparse(500 x 500, 40 % stored, ~100k synapses) ->
  LIF(500): 1000 neurons, the topology of bench/chip.py;
- ``dense``: LIF(500) -> LearningDense(200 x 500 = 100k synapses) -> LIF(200).

The first layer spikes from its bias; the second's spikes come back to the plastic
connection (``s_in_bap``). Each measurement builds the network, runs 5 steps (build,
model selection, first steps) and then times a run of ``--steps`` steps. lava-nc's side
runs this same file under lava-nc's Python (``--lava-python``, default
$LAVA_PYTHON, else ``.lava-ref/venv/bin/python``, the venv that
``scripts/lava-conformance.sh`` builds) as a subprocess; its networks are the
same, with ``lava.`` module paths.

Final lines: ``NAME t_epoch=T: kilauea X ms/step (C CPU), lava-nc Y ms/step, ratio Y/X``:
wall time per step, and kilauea's CPU time per step in this process (lava-nc runs its
models in processes of their own, so its side is wall time only).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

N = 500
DENSITY = 0.4
SEED = 7
LAVA_PYTHON = os.environ.get(
    "LAVA_PYTHON", str(Path(__file__).resolve().parents[1] / ".lava-ref" / "venv" / "bin" / "python"))


def _prefix() -> str:
    try:
        import kilauea.lava  # noqa: F401
        return "kilauea.lava"
    except ImportError:
        return "lava"


def _m(path: str):
    return importlib.import_module(f"{_prefix()}.{path}")


def make_network(name: str, t_epoch: int):
    """(first LIF, plastic connection, number of plastic synapses)."""
    rng = np.random.default_rng(SEED)
    lif_cls = _m("proc.lif.process").LIF
    rule = _m("proc.learning_rules.stdp_learning_rule").STDPLoihi(
        learning_rate=1, A_plus=1, A_minus=-1, tau_plus=10, tau_minus=10, t_epoch=t_epoch,
        rng_seed=3)
    n_post = N if name == "sparse" else 200
    lif1 = lif_cls(shape=(N,), du=0, dv=0, vth=10, bias_mant=rng.integers(1, 4, N),
                   bias_exp=6)
    w = rng.integers(2, 60, (n_post, N)) * 2          # even: truncation keeps them all
    if name == "sparse":
        from scipy.sparse import csr_matrix
        w = csr_matrix(np.where(rng.random((n_post, N)) < DENSITY, w, 0))
        conn = _m("proc.sparse.process").LearningSparse(weights=w, learning_rule=rule)
        nsyn = w.nnz
    else:
        conn = _m("proc.dense.process").LearningDense(weights=w, learning_rule=rule)
        nsyn = w.size
    lif2 = lif_cls(shape=(n_post,), du=1024, dv=512, vth=600)
    lif1.s_out.connect(conn.s_in)
    conn.a_out.connect(lif2.a_in)
    lif2.s_out.connect(conn.s_in_bap)
    return lif1, conn, nsyn


def measure(name: str, t_epoch: int, steps: int, tag: str) -> dict:
    run_steps = _m("magma.core.run_conditions").RunSteps
    cfg = _m("magma.core.run_configs").Loihi2SimCfg(select_tag=tag)
    lif1, conn, nsyn = make_network(name, t_epoch)
    lif1.run(condition=run_steps(num_steps=5), run_cfg=cfg)
    t0, c0 = time.perf_counter(), time.process_time()
    lif1.run(condition=run_steps(num_steps=steps), run_cfg=cfg)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    lif1.stop()
    return {"name": name, "t_epoch": t_epoch, "synapses": int(nsyn),
            "ms_per_step": 1000 * elapsed / steps, "cpu_ms_per_step": 1000 * cpu / steps}


def cases(only):
    return [(n, t) for n in ("sparse", "dense") for t in (1, 10) if only in (None, n)]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=100)
    ap.add_argument("--tag", default="fixed_pt", choices=("fixed_pt", "floating_pt"))
    ap.add_argument("--only", choices=("sparse", "dense"))
    ap.add_argument("--lava-python", default=LAVA_PYTHON)
    ap.add_argument("--json", action="store_true", help="print this side's results as JSON")
    args = ap.parse_args(argv)
    ours = [measure(n, t, args.steps, args.tag) for n, t in cases(args.only)]
    if args.json:
        print(json.dumps(ours))
        return 0
    cmd = [args.lava_python, __file__, "--json", "--steps", str(args.steps), "--tag", args.tag]
    if args.only:
        cmd += ["--only", args.only]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd="/")
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("[")]
    theirs = json.loads(lines[-1]) if proc.returncode == 0 and lines else None
    for i, r in enumerate(ours):
        head = (f"{r['name']} ({r['synapses']} plastic synapses) t_epoch={r['t_epoch']}: "
                f"kilauea {r['ms_per_step']:.2f} ms/step ({r['cpu_ms_per_step']:.2f} CPU)")
        if theirs is None:
            print(f"{head}, lava-nc: not measured ({proc.stderr.strip()[-300:]})")
            continue
        t = theirs[i]
        print(f"{head}, lava-nc {t['ms_per_step']:.2f} ms/step, "
              f"ratio {t['ms_per_step'] / r['ms_per_step']:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
