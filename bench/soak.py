"""Soak check: long runs of a small network must keep memory flat.

    .venv/bin/python bench/soak.py [--steps 1000000] [--monitor-steps 100000]
                                   [--chunks 20] [--engine compiled]

Three runs of one small network (a host RingBuffer of 4 binary inputs ->
Dense -> LIF(8) -> Dense -> LIF(4), with a recurrent Dense on the first
layer), each in `--chunks` equal `run` calls of one runtime, the process's
resident memory (RSS, MiB) printed after each chunk:

1. `--monitor-steps` steps with Monitors on every `u`, `v` and `s_out`, on
   the CPU fixed-point models;
2. the same with Monitors on the chip (`--engine`, default compiled, with
   `counters=False`);
3. `--steps` steps on the chip (default 1,000,000), no monitors.

An interrupt (SIGINT, Ctrl-C) ends the present run at a step boundary and
prints the verdict of what ran.

Memory is *flat* when the RSS after the last chunk exceeds the RSS after the
first chunk (the warm-up: models loaded, buffers allocated) by at most
`--tolerance` MiB (default 8) plus what the monitors must hold for the steps
run since then (steps x probed elements x 8 bytes: their data is the one
thing that legitimately grows). The chip runtime keeps each step's figures
for the last 20,000 steps (`ChipStats.keep`, trimmed when 40,000 are held:
a few MiB, the saw-tooth of a long chip run), within the tolerance.
Final line::

    soak: <s> compiled steps, <n>/<n> monitored steps (cpu/chip): RSS +a, +b, +c MiB: flat|GROWING
"""
from __future__ import annotations

import argparse
import signal
import sys
import time

import numpy as np

from kilauea import LIF, ChipCfg, CpuSimCfg, Dense, Monitor, RunSteps
from kilauea.proc.io import source

PAGE = 4096
STOPPED: list = []          # labels of the runs an interrupt ended early


def rss_mib() -> float:
    """The process's resident set size now (MiB; /proc/self/statm)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE / 2 ** 20


def make_network(seed: int = 3):
    """(root process, LIF processes): a small network that keeps spiking."""
    rng = np.random.default_rng(seed)
    src = source.RingBuffer(data=(rng.random((4, 13)) < 0.5).astype(np.int32), name="src")
    l1 = LIF(shape=(8,), du=800, dv=300, vth=60, bias_mant=rng.integers(0, 12, 8), bias_exp=2,
             name="l1")
    l2 = LIF(shape=(4,), du=1000, dv=500, vth=40, name="l2")
    d0 = Dense(weights=rng.integers(-20, 80, (8, 4)), name="d0")
    d1 = Dense(weights=rng.integers(-30, 90, (4, 8)), name="d1")
    rec = Dense(weights=rng.integers(-40, 20, (8, 8)), name="rec")
    for pre, conn, post in ((src, d0, l1), (l1, d1, l2), (l1, rec, l1)):
        pre.s_out.connect(conn.s_in)
        conn.a_out.connect(post.a_in)
    return src, (l1, l2)


def soak(label: str, cfg, steps: int, chunks: int, monitors: bool) -> tuple[float, float, int]:
    """Run `steps` in `chunks` runs; print RSS per chunk. Returns (growth
    after the first chunk in MiB, the monitors' allowance in MiB, steps run).
    An interrupt (SIGINT) ends the run at a chunk's step boundary."""
    root, lifs = make_network()
    mons, elems = [], 0
    if monitors:
        for lif in lifs:
            for var in (lif.u, lif.v, lif.s_out):
                m = Monitor()
                m.probe(var, steps)
                mons.append(m)
                elems += int(np.prod(var.shape))
    per = max(1, steps // chunks)
    done, first, t0 = 0, None, time.perf_counter()
    try:
        while done < steps:
            n = min(per, steps - done)
            try:
                root.run(condition=RunSteps(num_steps=n), run_cfg=cfg)
            except KeyboardInterrupt:       # Ctrl-C / SIGINT: report what ran
                print(f"  {label}: interrupted", flush=True)
                STOPPED.append(label)
                break
            done += n
            rss = rss_mib()
            if first is None:
                first, first_done = rss, done
            rate = done / (time.perf_counter() - t0)
            print(f"  {label}: step {done:>8}  RSS {rss:8.1f} MiB  ({rate:,.0f} steps/s)",
                  flush=True)
    finally:
        root.stop()
    if first is None:
        return 0.0, 0.0, done
    allowance = (done - first_done) * elems * 8 / 2 ** 20
    return rss - first, allowance, done


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--steps", type=int, default=1_000_000, help="compiled-engine steps")
    ap.add_argument("--monitor-steps", type=int, default=100_000)
    ap.add_argument("--chunks", type=int, default=20)
    ap.add_argument("--engine", default="compiled", help="the chip engine")
    ap.add_argument("--tolerance", type=float, default=8.0, help="MiB")
    a = ap.parse_args(argv)
    signal.signal(signal.SIGINT, signal.default_int_handler)   # also when started in the background
    chip = ChipCfg(engine=a.engine, mesh=(1, 1), counters=False)
    runs = [("cpu + monitors", CpuSimCfg(select_tag="fixed_pt"), a.monitor_steps, True),
            ("chip + monitors", chip, a.monitor_steps, True),
            ("chip", chip, a.steps, False)]
    growth, ran, ok = [], [], True
    for label, cfg, steps, mon in runs:
        if STOPPED:
            break
        if steps <= 0:          # a run left out (e.g. --monitor-steps 0)
            growth.append(0.0)
            ran.append(0)
            continue
        g, allow, done = soak(label, cfg, steps, a.chunks, mon)
        flat = g <= a.tolerance + allow
        ok = ok and flat
        growth.append(g)
        ran.append(done)
        print(f"{label}: {done} steps, RSS {g:+.1f} MiB after the first chunk "
              f"(allowed {a.tolerance + allow:.1f}): {'flat' if flat else 'GROWING'}", flush=True)
    cut = f" (interrupted: {', '.join(STOPPED)})" if STOPPED else ""
    ran += [0] * (3 - len(ran))
    print(f"soak: {ran[2]} {a.engine} steps, {ran[0]}/{ran[1]} monitored steps (cpu/chip): "
          f"RSS {', '.join(f'{g:+.1f}' for g in growth)} MiB: {'flat' if ok else 'GROWING'}{cut}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
