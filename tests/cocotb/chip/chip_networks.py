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
    lif1 = LIF(shape=(3,), name="lif1", **p["lif1"])
    dense = Dense(weights=p["weights"](rng), name="dense")
    lif2 = LIF(shape=(2,), name="lif2", **p["lif2"])
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    gen = source.RingBuffer(data=(rng.random((3, steps)) < p["spike_prob"] / 100).astype(np.int32))
    dense_in = Dense(weights=np.eye(3, dtype=np.int32) * p["input_weight"], name="dense_input")
    gen.s_out.connect(dense_in.s_in)
    dense_in.a_out.connect(lif1.a_in)
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
                vth=int(rng.integers(5, 60)), bias_mant=rng.integers(-10, 40, n),
                bias_exp=rng.integers(0, 4, n), name=f"L{i}") for i, n in enumerate(sizes)]

    def dense(n_in, n_out, density, name):
        w = rng.integers(-100, 200, (n_out, n_in)) * (rng.random((n_out, n_in)) < density)
        return Dense(weights=w, name=name)

    n_in = 16
    src = source.RingBuffer(data=(rng.random((n_in, steps)) < 0.4).astype(np.int32), name="SRC")
    d = dense(n_in, sizes[0], 0.3, "IN")
    src.s_out.connect(d.s_in)
    d.a_out.connect(lifs[0].a_in)
    for i in range(1, len(sizes)):
        d = dense(sizes[i - 1], sizes[i], 0.12, f"D{i}")
        lifs[i - 1].s_out.connect(d.s_in)
        d.a_out.connect(lifs[i].a_in)
    d = dense(sizes[-1], sizes[1], 0.08, "REC")            # recurrent: last layer -> middle
    lifs[-1].s_out.connect(d.s_in)
    d.a_out.connect(lifs[1].a_in)
    for lif in lifs:
        lif.s_out.connect(sink.RingBuffer(shape=lif.s_out.shape, buffer=steps).a_in)
    _, cn = compile_procs(lifs[-1], CHIP)
    return Bench("random-200", cn, sum(sizes))


NETWORKS = {"walkthrough": walkthrough, "random200": random_200}
