"""Porting Lava's in-depth tutorial 10 (Sigma-delta neurons) to kilauea.

The tutorial imports everything from Lava's top-level package
(``from lava import SourceRingBuffer, Dense, SigmaDelta, Delta, Monitor,
RunSteps, Loihi2SimCfg, ActivationMode``), feeds a graded time series into
a SigmaDelta neuron and counts the messages it sends. Here: the same
pattern with kilauea's module paths (what works), a hand-computed
sigma-delta trace on CPU float, CPU fixed_pt and the chip, and the missing
top-level names.
"""
import numpy as np
import pytest

from kilauea.lava import Dense, SigmaDelta, Monitor, RunSteps, Loihi2SimCfg
from kilauea.lava.magma.core.run_configs import Loihi2HwCfg
from kilauea.lava.proc.sdn.process import ActivationMode
from kilauea.lava.proc.io.source import RingBuffer as SourceRingBuffer
from kilauea.lava.proc.io.sink import RingBuffer as SinkRingBuffer

A_IN = np.array([[4, 1, 0, -2, 0, 3]])
# sigma 4 5 5 3 3 6; delta (+residue) 4 1 1 -1 -1 2; |delta| >= 2 sends
EXPECT = np.array([[4, 0, 0, 0, 0, 2]])


def _trace(cfg):
    src = SourceRingBuffer(data=A_IN)
    sdn = SigmaDelta(shape=(1,), vth=2, act_mode=ActivationMode.RELU)
    sink = SinkRingBuffer(shape=(1,), buffer=A_IN.shape[1])
    src.s_out.connect(sdn.a_in)
    sdn.s_out.connect(sink.a_in)
    mon = Monitor()
    mon.probe(sdn.sigma, A_IN.shape[1])
    sdn.run(condition=RunSteps(num_steps=A_IN.shape[1]), run_cfg=cfg)
    out = sink.data.get().copy(), mon.get_data()[sdn.name]["sigma"].copy()
    sdn.stop()
    return out


def test_sigma_delta_float_trace():
    s, sigma = _trace(Loihi2SimCfg())
    np.testing.assert_array_equal(s, EXPECT)
    np.testing.assert_array_equal(sigma[:, 0], [4, 5, 5, 3, 3, 6])


def test_sigma_delta_fixed_cpu_and_chip():
    cpu = _trace(Loihi2SimCfg(select_tag="fixed_pt"))
    chip = _trace(Loihi2HwCfg(engine="model"))
    np.testing.assert_array_equal(cpu[0], EXPECT)
    for a, b in zip(cpu, chip):
        np.testing.assert_array_equal(a, b)


def test_sigma_delta_layer_through_graded_dense():
    # sdn -> Dense(graded, weight 3) -> sdn2 (UNIT, vth 1): sdn2's sigma
    # integrates 3 * (messages of sdn) one step later
    def run(cfg):
        src = SourceRingBuffer(data=A_IN)
        sdn = SigmaDelta(shape=(1,), vth=2)
        dense = Dense(weights=np.array([[3]]), num_message_bits=16)
        sdn2 = SigmaDelta(shape=(1,), vth=1, act_mode=ActivationMode.UNIT)
        src.s_out.connect(sdn.a_in)
        sdn.s_out.connect(dense.s_in)
        dense.a_out.connect(sdn2.a_in)
        mon = Monitor()
        mon.probe(sdn2.sigma, 6)
        sdn2.run(condition=RunSteps(num_steps=6), run_cfg=cfg)
        out = mon.get_data()[sdn2.name]["sigma"][:, 0].copy()
        sdn2.stop()
        return out
    cpu = run(Loihi2SimCfg(select_tag="fixed_pt"))
    np.testing.assert_array_equal(cpu, [0, 12, 12, 12, 12, 12])
    np.testing.assert_array_equal(run(Loihi2HwCfg(engine="model")), cpu)


def test_lava_top_level_names():
    import kilauea.lava as lava
    for name in ("SourceRingBuffer", "SinkRingBuffer", "ActivationMode",
                 "LogConfig"):
        assert hasattr(lava, name), name


def test_sigma_and_delta_processes():
    from kilauea.lava.proc.sdn.process import Sigma, Delta
    assert Sigma(shape=(2,)).a_in.shape == (2,)
    assert Delta(shape=(2,), vth=1).s_out.shape == (2,)
