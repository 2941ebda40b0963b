"""Porting patterns of lava-nc's process-library tests (lif, dense, sparse,
io, monitor) and of async ProcessModels: the same scripts on CPU float,
CPU fixed_pt and the chip (golden model), values computed by hand.
"""
import numpy as np
from scipy.sparse import csr_matrix

from kilauea.lava.magma.core.process.process import AbstractProcess
from kilauea.lava.magma.core.process.variable import Var
from kilauea.lava.magma.core.process.ports.ports import InPort, OutPort
from kilauea.lava.magma.core.model.py.model import PyAsyncProcessModel
from kilauea.lava.magma.core.model.py.ports import PyInPort, PyOutPort
from kilauea.lava.magma.core.model.py.type import LavaPyType
from kilauea.lava.magma.core.decorator import implements, requires, tag
from kilauea.lava.magma.core.resources import CPU
from kilauea.lava.magma.core.sync.protocols.async_protocol import AsyncProtocol
from kilauea.lava.magma.core.run_configs import Loihi2SimCfg, Loihi2HwCfg
from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.proc.lif.process import LIF, LIFReset
from kilauea.lava.proc.dense.process import Dense
from kilauea.lava.proc.sparse.process import Sparse
from kilauea.lava.proc.io.source import RingBuffer as SourceBuffer
from kilauea.lava.proc.io.sink import RingBuffer as SinkBuffer
from kilauea.lava.proc.monitor.process import Monitor


def test_source_dense_sink_float_timing():
    # one spike at step 2 through weights [[5], [-3]]: a_out at step 3
    data = np.zeros((1, 6))
    data[0, 1] = 1
    src = SourceBuffer(data=data)
    dense = Dense(weights=np.array([[5.0], [-3.0]]))
    sink = SinkBuffer(shape=(2,), buffer=6)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(sink.a_in)
    sink.run(condition=RunSteps(num_steps=6), run_cfg=Loihi2SimCfg())
    got = sink.data.get()
    sink.stop()
    expect = np.zeros((2, 6))
    expect[:, 2] = [5.0, -3.0]
    np.testing.assert_array_equal(got, expect)


def test_dense_fixed_weight_exp_and_graded_messages():
    # graded input 3 at step 1, weights 10, weight_exp -1: (3*10) >> 1 = 15
    data = np.zeros((1, 4), dtype=int)
    data[0, 0] = 3
    src = SourceBuffer(data=data)
    dense = Dense(weights=np.array([[10]]), weight_exp=-1,
                  num_message_bits=8)
    sink = SinkBuffer(shape=(1,), buffer=4)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(sink.a_in)
    sink.run(condition=RunSteps(num_steps=4),
             run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
    np.testing.assert_array_equal(sink.data.get(), [[0, 15, 0, 0]])
    sink.stop()


def test_sparse_equals_dense_float():
    w = np.array([[0.0, 2.5, 0.0], [1.0, 0.0, -4.0]])
    out = []
    for conn in (Dense(weights=w), Sparse(weights=csr_matrix(w))):
        src = SourceBuffer(data=np.array([[1, 0, 1], [1, 1, 0], [0, 1, 1]]))
        sink = SinkBuffer(shape=(2,), buffer=4)
        src.s_out.connect(conn.s_in)
        conn.a_out.connect(sink.a_in)
        sink.run(condition=RunSteps(num_steps=4), run_cfg=Loihi2SimCfg())
        out.append(sink.data.get().copy())
        sink.stop()
    np.testing.assert_array_equal(out[0], out[1])
    # step 2 carries step 1's spikes [1, 1, 0]
    np.testing.assert_array_equal(out[0][:, 1], [2.5, 1.0])


def test_lif_reset_float():
    lif = LIFReset(shape=(1,), bias_mant=2.0, vth=100.0, reset_interval=4,
                   reset_offset=1)
    mon = Monitor()
    mon.probe(lif.v, 8)
    lif.run(condition=RunSteps(num_steps=8), run_cfg=Loihi2SimCfg())
    v = mon.get_data()[lif.name]["v"][:, 0]
    lif.stop()
    # reset at the start of steps 1 and 5
    np.testing.assert_array_equal(v, [2, 4, 6, 8, 2, 4, 6, 8])


def _src_dense_lif(cfg, steps=20):
    rng = np.random.default_rng(7)
    spikes = (rng.random((4, steps)) < 0.4).astype(int)
    src = SourceBuffer(data=spikes)
    dense = Dense(weights=rng.integers(-60, 120, (3, 4)))
    lif = LIF(shape=(3,), du=1000, dv=200, bias_mant=5, bias_exp=6, vth=40)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    sink = SinkBuffer(shape=(3,), buffer=steps)
    lif.s_out.connect(sink.a_in)
    mon = Monitor()
    mon.probe(lif.v, steps)
    lif.run(condition=RunSteps(num_steps=steps // 2), run_cfg=cfg)
    lif.vth.set(np.array([30]))      # change between runs, Lava style
    lif.run(condition=RunSteps(num_steps=steps - steps // 2), run_cfg=cfg)
    out = (sink.data.get().copy(), mon.get_data()[lif.name]["v"].copy(),
           lif.u.get().copy())
    lif.stop()
    return out


def test_library_network_cpu_fixed_equals_chip():
    cpu = _src_dense_lif(Loihi2SimCfg(select_tag="fixed_pt"))
    chip = _src_dense_lif(Loihi2HwCfg(engine="model"))
    assert cpu[0].sum() > 0
    for a, b in zip(cpu, chip):
        np.testing.assert_array_equal(a, b)


def _weights_set_between_runs(cfg):
    src = SourceBuffer(data=np.ones((1, 4), dtype=int))
    dense = Dense(weights=np.array([[20]]))
    lif = LIF(shape=(1,), vth=100000)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    lif.run(condition=RunSteps(num_steps=2), run_cfg=cfg)
    dense.weights.set(np.array([[40]]))
    lif.run(condition=RunSteps(num_steps=2), run_cfg=cfg)
    u = lif.u.get().copy()
    lif.stop()
    return u


def test_dense_weights_set_between_runs_cpu():
    # a_in 0, 20, 20 (old weights, buffered), 40; u decays by 1/4096:
    # 1280 -> 1279 + 1280 = 2559 -> 2558 + 2560 = 5118
    u = _weights_set_between_runs(Loihi2SimCfg(select_tag="fixed_pt"))
    np.testing.assert_array_equal(u, [5118])


def test_dense_weights_set_between_runs_chip():
    u = _weights_set_between_runs(Loihi2HwCfg(engine="model"))
    np.testing.assert_array_equal(u, [5118])


# ------------------------------------------------------------ async

class Accumulator(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inp = InPort(shape=(2,))
        self.out = OutPort(shape=(2,))
        self.acc = Var(shape=(2,), init=0)


@implements(proc=Accumulator, protocol=AsyncProtocol)
@requires(CPU)
@tag("floating_pt")
class PyAsyncAccumulator(PyAsyncProcessModel):
    inp: PyInPort = LavaPyType(PyInPort.VEC_DENSE, int)
    out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, int)
    acc: np.ndarray = LavaPyType(np.ndarray, int)

    def run_async(self):
        while True:
            self.acc = self.acc + self.inp.recv()
            self.out.send(self.acc)
            if self.check_for_stop_cmd():
                return


def test_async_model_between_sync_processes():
    src = SourceBuffer(data=np.array([[1, 2, 3, 4], [10, 0, 10, 0]]))
    acc = Accumulator()
    sink = SinkBuffer(shape=(2,), buffer=4)
    src.s_out.connect(acc.inp)
    acc.out.connect(sink.a_in)
    sink.run(condition=RunSteps(num_steps=4), run_cfg=Loihi2SimCfg())
    np.testing.assert_array_equal(sink.data.get(),
                                  [[1, 3, 6, 10], [10, 10, 20, 20]])
    np.testing.assert_array_equal(acc.acc.get(), [10, 20])
    sink.stop()
