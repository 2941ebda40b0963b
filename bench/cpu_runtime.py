"""CPU runtime overhead: LIF(N) -> Dense -> LIF(N) against a numpy loop.

For N = 3, 100, 1000 and 1000 steps, in floating and fixed point, times the
network run by kilauea's CPU runtime (``RunSteps`` with ``CpuSimCfg``) and a
hand-written numpy loop of exactly the same arithmetic (the binary-spike
gather ``W[:, s].sum(1)``, the spec's fixed-point LIF), in this one process,
interleaving the two and taking the median of several repeats. Layer 1 is
driven by a bias so that it spikes regularly. Prints the ratios
(runtime / numpy; targets: <= 3x at N = 3, <= 1.5x at N = 1000) and checks
that both produced the same spikes. Also times ``get()`` of a 1000 x 1000
``io.sink.RingBuffer`` after a run (target: well under 0.1 s).

    .venv/bin/python bench/cpu_runtime.py [--repeats 5] [--steps 1000]
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from kilauea import CpuSimCfg, Dense, LIF, RunSteps
from kilauea.proc.io.sink import RingBuffer as Sink

# -------------------------------------------------------------- parameters
FLOAT = dict(du=0.1, dv=0.1, vth=10.0)
FIXED = dict(du=410, dv=410, vth=1000, bias_exp=6)


def network_params(n: int, fixed: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    if fixed:
        bias1 = rng.integers(100, 131, n)                      # * 2**6
        w = rng.integers(-128, 128, (n, n)).astype(np.int32)   # MIXED
        if n <= 3:
            w = np.abs(w)
    else:
        bias1 = rng.uniform(1.1, 1.3, n)
        w = rng.uniform(-1.0, 1.5, (n, n)) * (20.0 / n)
    return bias1, w


# ---------------------------------------------------------- the numpy loop
def gather_columns(w, wt, s):
    """The issue's kernel: sum the columns of the spiking sources."""
    return w[:, s].sum(axis=1)


def gather_rows(w, wt, s):
    """The same sums read from a transposed copy (what the Dense models do)."""
    return wt[s].sum(axis=0)


def numpy_loop_float(n, steps, bias1, w, gather=gather_columns):
    du, dv, vth = FLOAT["du"], FLOAT["dv"], FLOAT["vth"]
    u1 = np.zeros(n); v1 = np.zeros(n); u2 = np.zeros(n); v2 = np.zeros(n)
    a_buff = np.zeros(n)
    wt = np.ascontiguousarray(w.T)
    count1 = count2 = 0
    for _ in range(steps):
        u1 = u1 * (1 - du)
        v1 = v1 * (1 - dv) + u1 + bias1
        s1 = v1 > vth
        v1[s1] = 0
        a_in2 = a_buff                              # Dense sends last step's
        a_buff = gather(w, wt, s1)
        u2 = u2 * (1 - du) + a_in2
        v2 = v2 * (1 - dv) + u2
        s2 = v2 > vth
        v2[s2] = 0
        count1 += int(s1.sum()); count2 += int(s2.sum())
    return count1, count2


def _lif_fixed(u, v, a_in, du, dv, bias, vth_eff):
    d = u * (4096 - (du + 1))
    u = np.sign(d) * (np.abs(d) >> 12)
    u += a_in << 6
    u -= (u > 2 ** 23) * 2 ** 24                    # the single wrap
    u += (u <= -2 ** 23) * 2 ** 24
    d = v * (4096 - dv)
    v = np.sign(d) * (np.abs(d) >> 12)
    v += u
    v += bias
    np.maximum(v, -(2 ** 23 - 1), out=v)
    np.minimum(v, 2 ** 23 - 1, out=v)
    s = v > vth_eff
    v[s] = 0
    return u, v, s


def numpy_loop_fixed(n, steps, bias1, w, gather=gather_columns):
    du, dv, vth, be = FIXED["du"], FIXED["dv"], FIXED["vth"], FIXED["bias_exp"]
    w = w.astype(np.int64)
    mixed = w.min() < 0 < w.max()
    w = np.clip(w, -256 if mixed else 0, 255)
    t = 1 if mixed else 0
    w = ((w >> t) << t).astype(np.int32)
    wt = np.ascontiguousarray(w.T)
    bias = bias1.astype(np.int64) << be
    vth_eff = vth << 6
    u1 = np.zeros(n, np.int64); v1 = np.zeros(n, np.int64)
    u2 = np.zeros(n, np.int64); v2 = np.zeros(n, np.int64)
    a_buff = np.zeros(n, np.int64)
    zero = np.zeros(n, np.int64)
    count1 = count2 = 0
    for _ in range(steps):
        u1, v1, s1 = _lif_fixed(u1, v1, zero, du, dv, bias, vth_eff)
        a_in2 = a_buff
        a_buff = gather(w, wt, s1)                  # weight_exp = 0
        u2, v2, s2 = _lif_fixed(u2, v2, a_in2, du, dv, 0, vth_eff)
        count1 += int(s1.sum()); count2 += int(s2.sum())
    return count1, count2


# ------------------------------------------------------------ the runtime
def build_network(n, fixed, bias1, w, sink_buffer=0):
    p = FIXED if fixed else FLOAT
    kw = dict(du=p["du"], dv=p["dv"], vth=p["vth"])
    l1 = LIF(shape=(n,), bias_mant=bias1,
             bias_exp=p.get("bias_exp", 0), name="l1", **kw)
    dense = Dense(weights=w, name="dense")
    l2 = LIF(shape=(n,), name="l2", **kw)
    l1.s_out.connect(dense.s_in)
    dense.a_out.connect(l2.a_in)
    sink = None
    if sink_buffer:
        sink = Sink(shape=(n,), buffer=sink_buffer)
        l2.s_out.connect(sink.a_in)
    return l1, l2, sink


def run_runtime(n, steps, fixed, bias1, w):
    """Returns (seconds of the run, layer-1 and layer-2 spike counts via a
    sink-free check run of the same network)."""
    l1, l2, _ = build_network(n, fixed, bias1, w)
    cfg = CpuSimCfg(select_tag="fixed_pt" if fixed else "floating_pt")
    l1.create_runtime(run_cfg=cfg)        # build outside the timed region
    t0 = time.perf_counter()
    l1.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    elapsed = time.perf_counter() - t0
    l1.stop()
    return elapsed


def spike_counts_runtime(n, steps, fixed, bias1, w):
    l1, l2, sink = build_network(n, fixed, bias1, w, sink_buffer=steps)
    probe = Sink(shape=(n,), buffer=steps)
    l1.s_out.connect(probe.a_in)
    cfg = CpuSimCfg(select_tag="fixed_pt" if fixed else "floating_pt")
    l1.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    c1 = int(np.count_nonzero(probe.data.get()))
    c2 = int(np.count_nonzero(sink.data.get()))
    l1.stop()
    return c1, c2


def time_numpy(n, steps, fixed, bias1, w, gather=gather_columns):
    loop = numpy_loop_fixed if fixed else numpy_loop_float
    t0 = time.perf_counter()
    counts = loop(n, steps, bias1, w, gather)
    return time.perf_counter() - t0, counts


def time_sink_get(n=1000, buffer=1000):
    bias1, w = network_params(n, fixed=False)
    l1, l2, sink = build_network(n, False, bias1, w, sink_buffer=buffer)
    l1.run(condition=RunSteps(num_steps=buffer), run_cfg=CpuSimCfg())
    t0 = time.perf_counter()
    data = sink.data.get()
    elapsed = time.perf_counter() - t0
    l1.stop()
    assert data.shape == (n, buffer)
    return elapsed


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--sizes", type=int, nargs="+", default=[3, 100, 1000])
    args = ap.parse_args(argv)
    targets = {3: 3.0, 1000: 1.5}
    print(f"LIF(N) -> Dense -> LIF(N), {args.steps} steps, median of "
          f"{args.repeats} interleaved repeats")
    print(f"{'N':>5} {'mode':>6} {'numpy s':>9} {'kilauea s':>10} {'ratio':>7} "
          f"{'target':>7} {'same-kernel':>12} {'spikes l1/l2':>14}")
    ok = True
    for n in args.sizes:
        for fixed in (False, True):
            bias1, w = network_params(n, fixed)
            t_np, t_np_rows, t_rt = [], [], []
            counts = None
            for _ in range(args.repeats):
                dt, counts = time_numpy(n, args.steps, fixed, bias1, w)
                t_np.append(dt)
                t_rt.append(run_runtime(n, args.steps, fixed, bias1, w))
                dt, counts_rows = time_numpy(n, args.steps, fixed, bias1, w,
                                             gather_rows)
                t_np_rows.append(dt)
            rt_counts = spike_counts_runtime(n, args.steps, fixed, bias1, w)
            if rt_counts != counts or (fixed and counts_rows != counts):
                ok = False
                print(f"MISMATCH N={n} fixed={fixed}: numpy {counts}, "
                      f"kilauea {rt_counts}")
            m_np, m_rt = statistics.median(t_np), statistics.median(t_rt)
            m_rows = statistics.median(t_np_rows)
            ratio = m_rt / m_np
            target = targets.get(n)
            print(f"{n:>5} {'fixed' if fixed else 'float':>6} {m_np:>9.4f} "
                  f"{m_rt:>10.4f} {ratio:>6.2f}x "
                  f"{(f'<={target}x' if target else '-'):>7} "
                  f"{m_rt / m_rows:>11.2f}x "
                  f"{counts[0]:>7}/{counts[1]:<6}")
    print("ratio: kilauea / numpy loop with the gather W[:, s].sum(1); "
          "same-kernel: / numpy loop with the\nDense models' gather "
          "W.T[s].sum(0) (same sums, contiguous rows): the runtime's own "
          "overhead.")
    t_get = time_sink_get()
    print(f"sink RingBuffer 1000 x 1000: get() {t_get * 1e3:.2f} ms "
          f"(target: well under 100 ms)")
    if not ok:
        raise SystemExit("runtime and numpy loop disagree")


if __name__ == "__main__":
    main()
