"""The networks of the chip bench, built with the host API and compiled for
the bench's chip (`CHIP`): the walkthrough network (docs/walkthrough.py,
fixed-point parameters: LIF(3) -> Dense -> LIF(2), driven by random input
spikes through an input Dense) and a random 200-neuron network (three LIF
layers, random sparse Dense projections, one recurrent, random host input).
Every layer's spikes go to the host (sinks), so every step has host-bound
packets to check."""
from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kilauea.hw.params import ChipParams

ROOT = Path(__file__).resolve().parents[3]
#: small enough for a fast simulation, big enough for 200 neurons on 4 cores
CHIP = ChipParams(mesh_w=2, mesh_h=2, n_compartments=64, n_synapses=2048, n_axons=256,
                  n_fanout=512, n_ucode=64, n_profiles=4, n_delay_slots=16, n_acc_groups=4,
                  fifo_depth=2, max_host_reads=4)


@dataclass
class Bench:
    """A compiled network and its host input for step t (`inputs(t)`: flits)."""
    name: str
    compiled: object
    n_neurons: int

    def inputs(self, t: int) -> np.ndarray:
        from compiler_testkit import ring_values
        flits = [hi.flits(t, ring_values(hi.port.process, t)) for hi in self.compiled.inputs]
        return np.concatenate(flits) if flits else np.zeros(0, dtype=np.uint64)


def _chain(pre, conn, post) -> None:
    """pre -> conn -> post (s_out -> s_in, a_out -> a_in)."""
    pre.s_out.connect(conn.s_in)
    conn.a_out.connect(post.a_in)


def _walkthrough_module():
    spec = importlib.util.spec_from_file_location("kilauea_walkthrough_bench",
                                                  ROOT / "docs" / "walkthrough.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def walkthrough(seed: int, steps: int) -> Bench:
    from kilauea import LIF, Dense
    from kilauea.proc.io import sink, source
    from compiler_testkit import compile_procs

    p = _walkthrough_module().PARAMS["fixed_pt"]
    rng = np.random.default_rng(seed)
    # part 1's layers (lif1 keeps its bias), driven as in part 2 through an
    # input Dense, from host spikes instead of the SpikeGenerator
    lif1, lif2 = (LIF(shape=(n,), name=name, **p[name]) for name, n in (("lif1", 3), ("lif2", 2)))
    _chain(lif1, Dense(weights=p["weights"](rng), name="dense"), lif2)
    gen = source.RingBuffer(data=(rng.random((3, steps)) < p["spike_prob"] / 100).astype(np.int32))
    _chain(gen, Dense(weights=np.eye(3, dtype=np.int32) * p["input_weight"], name="dense_input"),
           lif1)
    for lif in (lif1, lif2):
        lif.s_out.connect(sink.RingBuffer(shape=lif.s_out.shape, buffer=steps).a_in)
    _, cn = compile_procs(lif2, CHIP)
    return Bench("walkthrough", cn, 5)


def random_200(seed: int, steps: int) -> Bench:
    from kilauea import LIF, Dense
    from kilauea.proc.io import sink, source
    from compiler_testkit import compile_procs

    rng = np.random.default_rng(seed)
    sizes = (80, 70, 50)
    lifs = [LIF(shape=(n,), du=int(rng.integers(0, 4096)), dv=int(rng.integers(0, 4096)),
                vth=int(rng.integers(30, 90)), bias_mant=rng.integers(-10, 16, n),
                bias_exp=rng.integers(0, 4, n), name=f"L{i}") for i, n in enumerate(sizes)]

    def dense(n_in, n_out, density, name):
        w = rng.integers(-100, 200, (n_out, n_in)) * (rng.random((n_out, n_in)) < density)
        return Dense(weights=w, name=name)

    n_in = 16
    src = source.RingBuffer(data=(rng.random((n_in, steps)) < 0.4).astype(np.int32), name="SRC")
    _chain(src, dense(n_in, sizes[0], 0.3, "IN"), lifs[0])
    for i in range(1, len(sizes)):
        _chain(lifs[i - 1], dense(sizes[i - 1], sizes[i], 0.12, f"D{i}"), lifs[i])
    _chain(lifs[-1], dense(sizes[-1], sizes[1], 0.08, "REC"), lifs[1])    # recurrent
    for lif in lifs:
        lif.s_out.connect(sink.RingBuffer(shape=lif.s_out.shape, buffer=steps).a_in)
    _, cn = compile_procs(lifs[-1], CHIP)
    return Bench("random-200", cn, sum(sizes))


NETWORKS = {"walkthrough": walkthrough, "random200": random_200}
