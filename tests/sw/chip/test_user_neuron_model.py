"""A user's own neuron model, end to end: a Process defined here (outside the
library), its behaviour written once with the microcode DSL, a CPU fixed_pt
model generated from that description (ProgramRunner) and a chip model that
hands the same description to the compiler. No change to the RTL, the
compiler or the runtime.

The model: an adaptive-threshold integrate-and-fire neuron

    v += a_in; th = th0 + a; spike where v >= th
    where spiking: v -= th, a += inc;   then a -= shr(a, 3)

CPU (fixed_pt) == a numpy transcription, and chip (golden model, and the RTL
in Amaranth's simulator for a few steps) == CPU, spike for spike and state
for state.
"""
from __future__ import annotations

import numpy as np
import pytest

from kilauea import (CPU, AbstractProcess, ChipCfg, CpuSimCfg, Dense, InPort, KilaueaNeuroCore,
                     LavaPyType, LoihiProtocol, Monitor, OutPort, PyInPort, PyLoihiProcessModel,
                     PyOutPort, RunSteps, Var, implements, requires, tag)
from kilauea import neurons
from kilauea.compiler.ncmodel import NcNeuronModel, VarValues, program_cached
from kilauea.proc.io.source import RingBuffer


def adaptive_if(n_groups: int = 1) -> neurons.NeuronProgram:
    b = neurons.ProgramBuilder("adaptive_if", n_groups)
    b.declare_state("v")
    b.declare_state("a")
    b.declare_param("th0", lo=1, hi=(1 << 20))
    b.declare_const("inc", lo=0, hi=1000)
    v = b.state("v") + b.input()
    a = b.state("a")
    th = b.param("th0") + a
    fire = v >= th
    b.store("v", b.select(fire, v - th, v))
    a = b.select(fire, a + b.const("inc"), a)
    b.store("a", a - (a >> 3))
    b.spike(fire)
    return b.build(doc="adaptive-threshold IF (a user's model)")


class AdaptiveIF(AbstractProcess):
    def __init__(self, *, shape, th0=100, inc=20, name=None):
        super().__init__(shape=shape, th0=th0, inc=inc, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.v = Var(shape=shape, init=0)
        self.a = Var(shape=shape, init=0)
        self.th0 = Var(shape=shape, init=th0)
        self.inc = Var(shape=(1,), init=inc)


def _values(proc, vals: VarValues) -> dict:
    """Program word -> value, the Vars read through `vals` (the compile's
    values on the chip; `VarValues()`, the Vars' inits, on the CPU)."""
    n = int(np.prod(proc.s_out.shape))
    words = {k: np.broadcast_to(np.asarray(vals.get(proc, k)), (n,)) for k in ("v", "a", "th0")}
    words["inc"] = int(np.asarray(vals.get(proc, "inc")).reshape(-1)[0])
    return words


@implements(proc=AdaptiveIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyAdaptiveIFFixed(PyLoihiProcessModel):
    """The CPU model runs the very program the chip runs."""
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32)
    a: np.ndarray = LavaPyType(np.ndarray, np.int32)
    th0: np.ndarray = LavaPyType(np.ndarray, np.int32)
    inc: np.ndarray = LavaPyType(np.ndarray, np.int32)

    def run_spk(self):
        a_in = self.a_in.recv()
        if getattr(self, "_runner", None) is None:
            words = _values(self._process, VarValues())
            self._runner = neurons.ProgramRunner(adaptive_if(), self.v.size, words)
        s = self._runner.step(self.time_step, a_in)
        self.v = self._runner.get("v").astype(np.int32)
        self.a = self._runner.get("a").astype(np.int32)
        self.s_out.send(s != 0)


@implements(proc=AdaptiveIF, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcAdaptiveIF(NcNeuronModel):
    var_words = {"v": "v", "a": "a", "th0": "th0", "inc": "inc"}

    @classmethod
    def program(cls, proc, vals: VarValues, n_groups: int):
        return program_cached(adaptive_if, n_groups)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        return _values(proc, vals)


def _network(seed: int, n_steps: int):
    rng = np.random.default_rng(seed)
    n_in, n = 6, 5
    src = RingBuffer(data=(rng.random((n_in, n_steps)) < 0.5).astype(np.int32), name="src")
    dense = Dense(weights=rng.integers(0, 60, (n, n_in)), name="dense")
    neu = AdaptiveIF(shape=(n,), th0=rng.integers(40, 120, n), inc=25, name="adaptive")
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(neu.a_in)
    mon = Monitor()
    for target in (neu.v, neu.a, neu.s_out):
        mon.probe(target, n_steps)
    return src, dense, neu, mon


def _run(seed: int, n_steps: int, cfg):
    src, dense, neu, mon = _network(seed, n_steps)
    src.run(condition=RunSteps(num_steps=n_steps), run_cfg=cfg)
    try:
        data = mon.get_data()["adaptive"]
        return {k: np.asarray(data[k]).reshape(n_steps, -1) for k in ("v", "a", "s_out")}
    finally:
        src.stop()


def _reference(seed: int, n_steps: int) -> dict:
    """The model's equations in numpy, with Dense's one-step delay."""
    src, dense, neu, _ = _network(seed, n_steps)
    data = np.asarray(src.proc_params["data"])
    w = np.asarray(dense.weights.init)
    th0 = np.asarray(neu.th0.init)
    v = np.zeros(5, np.int64)
    a = np.zeros(5, np.int64)
    out = {"v": [], "a": [], "s_out": []}
    for t in range(n_steps):
        a_in = w @ data[:, t - 1] if t >= 1 else np.zeros(5, np.int64)
        v = v + a_in
        th = th0 + a
        fire = v >= th
        v = np.where(fire, v - th, v)
        a = np.where(fire, a + 25, a)
        a = a - (a >> 3)
        for k, x in (("v", v), ("a", a), ("s_out", fire)):
            out[k].append(x.astype(np.float64))
    return {k: np.stack(x) for k, x in out.items()}


@pytest.mark.parametrize("seed", [3, 4])
def test_user_model_cpu_matches_its_equations_and_the_chip_model(seed):
    n_steps = 40
    ref = _reference(seed, n_steps)
    cpu = _run(seed, n_steps, CpuSimCfg(select_tag="fixed_pt"))
    chip = _run(seed, n_steps, ChipCfg(engine="model", mesh=(1, 1)))
    assert ref["s_out"].sum() > 5, "the test network must spike"
    for k in ("v", "a", "s_out"):
        np.testing.assert_array_equal(cpu[k], ref[k], err_msg=f"seed {seed}: CPU {k}")
        np.testing.assert_array_equal(chip[k], cpu[k], err_msg=f"seed {seed}: chip(model) {k}")


def test_user_model_on_the_rtl():
    seed, n_steps = 5, 8
    cpu = _run(seed, n_steps, CpuSimCfg(select_tag="fixed_pt"))
    rtl = _run(seed, n_steps, ChipCfg(engine="pysim", mesh=(1, 1)))
    for k in ("v", "a", "s_out"):
        np.testing.assert_array_equal(rtl[k], cpu[k], err_msg=f"seed {seed}: chip(pysim) {k}")
