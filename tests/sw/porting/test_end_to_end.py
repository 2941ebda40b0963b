"""Porting Lava's end-to-end tutorials to kilauea.

- tutorial00 "Walk through Lava": library LIF/Dense, inspecting ports and
  Vars, Monitors, a user-written SpikeGenerator, ``Monitor.plot``;
- tutorial02 "Excitatory-inhibitory network": a rate model whose
  ``__init__(self, proc)`` takes the proc_params (``proc.get``,
  ``proc.overwrite``), a hierarchical LIF version built from recurrent
  Dense + LIF, a RunConfig subclass overriding ``select(proc, proc_models)``,
  ``io.sink.RingBuffer`` recording spikes, and the fixed-point version on
  the CPU and on the chip.
"""
import numpy as np
import pytest

from kilauea.lava import LIF, Dense, Monitor
from kilauea.lava.magma.core.process.process import AbstractProcess
from kilauea.lava.magma.core.process.variable import Var
from kilauea.lava.magma.core.process.ports.ports import InPort, OutPort
from kilauea.lava.magma.core.model.py.model import PyLoihiProcessModel
from kilauea.lava.magma.core.model.sub.model import AbstractSubProcessModel
from kilauea.lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from kilauea.lava.magma.core.decorator import implements, tag, requires
from kilauea.lava.magma.core.model.py.type import LavaPyType
from kilauea.lava.magma.core.model.py.ports import PyInPort, PyOutPort
from kilauea.lava.magma.core.resources import CPU
from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.magma.core.run_configs import (Loihi1SimCfg, Loihi2SimCfg,
                                                 Loihi2HwCfg)
from kilauea.lava.proc import io
from kilauea.lava.proc.lif.models import PyLifModelFloat, PyLifModelBitAcc
from kilauea.lava.proc.dense.models import (PyDenseModelFloat,
                                            PyDenseModelBitAcc)


# ---------------------------------------------------------------- tour

class SpikeGenerator(AbstractProcess):
    """Random spikes, as the tour's custom input Process."""

    def __init__(self, shape, spike_prob, **kwargs):
        super().__init__(shape=shape, spike_prob=spike_prob, **kwargs)
        self.spike_prob = Var(shape=(1,), init=spike_prob)
        self.s_out = OutPort(shape=shape)


@implements(proc=SpikeGenerator, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySpikeGenModel(PyLoihiProcessModel):
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    spike_prob: int = LavaPyType(int, int)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.rng = np.random.default_rng(proc_params.get("seed", 0))

    def run_spk(self):
        spikes = self.rng.random(self.s_out.shape) < self.spike_prob * 0.01
        self.s_out.send(spikes)


def test_tour_inspect_ports_and_vars():
    lif1 = LIF(shape=(3,), vth=10., dv=0.1, du=0.1,
               bias_mant=(1.1, 1.2, 1.3), name="lif1")
    dense = Dense(weights=np.full((2, 3), 0.5), name="dense")
    assert lif1.name == "lif1" and dense.name == "dense"
    sizes = {(p.name, p.size) for p in list(dense.in_ports)
             + list(dense.out_ports)}
    assert sizes == {("s_in", 3), ("a_out", 2)}
    byname = {v.name: v for v in lif1.vars}
    assert set(byname) == {"bias_exp", "bias_mant", "du", "dv", "u", "v",
                           "vth"}
    assert byname["bias_mant"].shape == (3,)
    assert byname["bias_mant"].init == (1.1, 1.2, 1.3)
    assert byname["vth"].shape == (1,) and byname["vth"].init == 10.0
    assert byname["u"].shareable


def test_tour_monitors_float_values():
    lif1 = LIF(shape=(3,), vth=10., dv=0.1, du=0.1,
               bias_mant=(1.1, 1.2, 1.3), name="lif1")
    dense = Dense(weights=np.full((2, 3), 0.5), name="dense")
    lif2 = LIF(shape=(2,), vth=10., dv=0.1, du=0.1, bias_mant=0.,
               name="lif2")
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    mon1, mon2 = Monitor(), Monitor()
    mon1.probe(lif1.v, 30)
    mon2.probe(lif2.v, 30)
    lif2.run(condition=RunSteps(num_steps=30),
             run_cfg=Loihi1SimCfg(select_tag="floating_pt"))
    v1 = mon1.get_data()["lif1"]["v"]
    v2 = mon2.get_data()["lif2"]["v"]
    lif2.stop()
    assert v1.shape == (30, 3) and v2.shape == (30, 2)
    # numpy transcription of the float LIF (strict threshold, reset to 0)
    v, u = np.zeros(3), np.zeros(3)
    ref1, spikes = [], []
    for _ in range(30):
        u = u * 0.9
        v = v * 0.9 + u + np.array([1.1, 1.2, 1.3])
        s = v > 10.0
        v[s] = 0
        ref1.append(v.copy())
        spikes.append(s)
    np.testing.assert_allclose(v1, np.array(ref1))
    assert np.array(spikes).any()
    v, u = np.zeros(2), np.zeros(2)
    ref2, prev = [], np.zeros(2)
    for t in range(30):
        u = u * 0.9 + prev
        v = v * 0.9 + u
        s = v > 10.0
        v[s] = 0
        ref2.append(v.copy())
        prev = np.full((2, 3), 0.5) @ spikes[t]   # Dense: one step later
    np.testing.assert_allclose(v2, np.array(ref2))


def test_tour_custom_spike_generator_and_plot():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    gen = SpikeGenerator(shape=(4,), spike_prob=30, seed=3)
    dense = Dense(weights=np.eye(4) * 2.0)
    lif = LIF(shape=(4,), vth=1e6, name="out")
    gen.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    mon_s = Monitor()
    mon_s.probe(gen.s_out, 20)
    mon_u = Monitor()
    mon_u.probe(lif.u, 20)
    lif.run(condition=RunSteps(num_steps=20),
            run_cfg=Loihi1SimCfg(select_tag="floating_pt"))
    s = mon_s.get_data()[gen.name]["s_out"]
    u = mon_u.get_data()["out"]["u"]
    fig, ax = plt.subplots()
    mon_u.plot(ax, lif.u)
    assert len(ax.lines) == 4
    plt.close(fig)
    lif.stop()
    # u accumulates 2 per spike, one step behind (du = 0)
    expect = 2.0 * np.cumsum(np.vstack([np.zeros((1, 4)), s[:-1]]), axis=0)
    np.testing.assert_allclose(u, expect)
    assert 0 < s.sum() < 80


# ------------------------------------------------------- E/I network

class EINet(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        n = kwargs["shape_exc"] + kwargs["shape_inh"]
        self.inport = InPort(shape=(n,))
        self.outport = OutPort(shape=(n,))
        self.state = Var(shape=(n,), init=0)
        self.state_alt = Var(shape=(n,), init=0)
        self.bias_exc = Var(shape=(kwargs["shape_exc"],),
                            init=kwargs["bias_exc"])
        self.bias_inh = Var(shape=(kwargs["shape_inh"],),
                            init=kwargs["bias_inh"])
        self.weights = Var(shape=(n, n), init=kwargs["weights"])


@implements(proc=EINet, protocol=LoihiProtocol)
@tag("rate_neurons")
@requires(CPU)
class RateEINetModel(PyLoihiProcessModel):
    outport: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    inport: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    state: np.ndarray = LavaPyType(np.ndarray, float)
    state_alt: np.ndarray = LavaPyType(np.ndarray, float)
    bias_exc: np.ndarray = LavaPyType(np.ndarray, float)
    bias_inh: np.ndarray = LavaPyType(np.ndarray, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)

    def __init__(self, proc):
        super().__init__(proc_params=proc)
        self.dr = proc.get("dr")
        self.proc = proc
        self.scaled = False

    def run_spk(self):
        if not self.scaled:
            self.weights = self.weights * self.dr
            self.proc.overwrite("weights", self.weights)
            self.scaled = True
        bias = np.hstack([self.bias_exc, self.bias_inh])
        a_in = self.inport.recv()
        self.state = ((1 - self.dr) * self.state + self.weights
                      @ np.tanh(self.state) + bias * self.dr + a_in)
        self.outport.send(self.state)


@implements(proc=EINet, protocol=LoihiProtocol)
@tag("lif_neurons")
class SubEINetModel(AbstractSubProcessModel):
    def __init__(self, proc):
        p = proc.proc_params
        n = p.get("shape_exc") + p.get("shape_inh")
        bias = np.hstack([np.full(p.get("shape_exc"), p.get("bias_exc")),
                          np.full(p.get("shape_inh"), p.get("bias_inh"))])
        self.lif = LIF(shape=(n,), du=p.get("du"), dv=p.get("dv"),
                       vth=p.get("vth"), bias_mant=bias,
                       bias_exp=p.get("bias_exp", 0))
        self.conn = Dense(weights=p.get("weights"))
        self.lif.s_out.connect(self.conn.s_in)
        self.conn.a_out.connect(self.lif.a_in)
        self.lif.s_out.connect(proc.outport)
        proc.inport.connect(self.lif.a_in)
        proc.vars.state.alias(self.lif.vars.v)
        proc.vars.state_alt.alias(self.lif.vars.u)


def _ei_weights(n_exc, n_inh, g, seed, scale):
    rng = np.random.default_rng(seed)
    n = n_exc + n_inh
    w = rng.normal(0, 1, (n, n)) * scale
    w[:, :n_exc] = np.abs(w[:, :n_exc])
    w[:, n_exc:] = -g * np.abs(w[:, n_exc:])
    np.fill_diagonal(w, 0)
    return w


def test_ei_rate_model_with_proc_params_init():
    w = _ei_weights(8, 2, 4.5, 1, 0.3)
    params = dict(shape_exc=8, shape_inh=2, dr=0.1, bias_exc=0.2,
                  bias_inh=0.1, weights=w)
    net = EINet(**params)
    mon = Monitor()
    mon.probe(target=net.state, num_steps=40)
    net.run(run_cfg=Loihi1SimCfg(select_tag="rate_neurons"),
            condition=RunSteps(num_steps=40))
    states = mon.get_data()[net.name][net.state.name]
    net.stop()
    r = np.zeros(10)
    ref = []
    bias = np.hstack([np.full(8, 0.2), np.full(2, 0.1)])
    for _ in range(40):
        r = 0.9 * r + (w * 0.1) @ np.tanh(r) + bias * 0.1
        ref.append(r.copy())
    np.testing.assert_allclose(states, np.array(ref), rtol=1e-12)


class FloatSelectCfg(Loihi1SimCfg):
    def select(self, proc, proc_models):
        if isinstance(proc, io.sink.RingBuffer):
            return io.sink.PyReceiveModelFloat
        if isinstance(proc, LIF):
            return PyLifModelFloat
        if isinstance(proc, Dense):
            return PyDenseModelFloat
        return super().select(proc, proc_models)


class FixedSelectCfg(Loihi2SimCfg):
    def select(self, proc, proc_models):
        if isinstance(proc, io.sink.RingBuffer):
            return io.sink.PyReceiveModelFixed
        if isinstance(proc, LIF):
            return PyLifModelBitAcc
        if isinstance(proc, Dense):
            return PyDenseModelBitAcc
        return super().select(proc, proc_models)


def _run_lif_ei(cfg, params, steps=40):
    net = EINet(**params)
    sink = io.sink.RingBuffer(shape=(10,), buffer=steps)
    net.outport.connect(sink.a_in)
    mon_v, mon_u = Monitor(), Monitor()
    mon_v.probe(target=net.state, num_steps=steps)
    mon_u.probe(target=net.state_alt, num_steps=steps)
    net.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    out = (sink.data.get().copy(),
           mon_v.get_data()[net.name]["state"].copy(),
           mon_u.get_data()[net.name]["state_alt"].copy())
    net.stop()
    return out


def test_ei_lif_float_with_custom_select():
    w = _ei_weights(8, 2, 4.5, 2, 0.5)
    params = dict(shape_exc=8, shape_inh=2, bias_exc=0.3, bias_inh=0.25,
                  weights=w, du=0.2, dv=0.1, vth=1.0)
    spikes, v, u = _run_lif_ei(
        FloatSelectCfg(select_tag="lif_neurons", select_sub_proc_model=True),
        params)
    assert spikes.shape == (10, 40) and spikes.sum() > 10
    # transcription: LIF <-> Dense recurrence with one step of delay
    vv, uu, prev = np.zeros(10), np.zeros(10), np.zeros(10)
    bias = np.hstack([np.full(8, 0.3), np.full(2, 0.25)])
    ref_s = []
    for _ in range(40):
        uu = uu * 0.8 + prev
        vv = vv * 0.9 + uu + bias
        s = vv > 1.0
        vv[s] = 0
        ref_s.append(s)
        prev = w @ s
    np.testing.assert_array_equal(spikes.T, np.array(ref_s).astype(float))


def test_ei_lif_fixed_cpu_equals_chip():
    w = np.round(_ei_weights(8, 2, 4.5, 3, 40)).clip(-256, 255)
    params = dict(shape_exc=8, shape_inh=2, bias_exc=60, bias_inh=45,
                  bias_exp=6, weights=w, du=800, dv=400, vth=80)
    cpu = _run_lif_ei(FixedSelectCfg(select_tag="lif_neurons",
                                     select_sub_proc_model=True), params)
    chip = _run_lif_ei(Loihi2HwCfg(engine="model",
                                   select_sub_proc_model=True), params)
    assert cpu[0].sum() > 10
    for a, b in zip(cpu, chip):
        np.testing.assert_array_equal(a, b)


# ------------------------------- tour generator feeding the chip

def _generator_into_lif(cfg):
    gen = SpikeGenerator(shape=(3,), spike_prob=50, seed=1)
    dense = Dense(weights=np.array([[50, 0, 20], [0, 50, 20], [10, 10, 50]]))
    lif = LIF(shape=(3,), du=600, dv=300, vth=60)
    gen.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    mon = Monitor()
    mon.probe(lif.v, 15)
    lif.run(condition=RunSteps(num_steps=15), run_cfg=cfg)
    v = mon.get_data()[lif.name]["v"].copy()
    lif.stop()
    return v


def test_float_only_host_process_with_chip_via_exception_map():
    # workaround that works today: name the generator's model explicitly
    emap = {SpikeGenerator: PySpikeGenModel}
    cpu = _generator_into_lif(Loihi2SimCfg(select_tag="fixed_pt",
                                           exception_proc_model_map=emap))
    chip = _generator_into_lif(Loihi2HwCfg(engine="model",
                                           exception_proc_model_map=emap))
    assert np.abs(cpu).max() > 0
    np.testing.assert_array_equal(cpu, chip)


def test_float_only_host_process_with_plain_loihi2_hw_cfg():
    emap = {SpikeGenerator: PySpikeGenModel}
    cpu = _generator_into_lif(Loihi2SimCfg(select_tag="fixed_pt",
                                           exception_proc_model_map=emap))
    chip = _generator_into_lif(Loihi2HwCfg(engine="model"))
    np.testing.assert_array_equal(cpu, chip)
