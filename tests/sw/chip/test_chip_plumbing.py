"""The chip executor's plumbing against the engine and compiler contracts.

These tests run the chip executor on a hand-made `CompiledNetwork` and a
small engine that implements `ChipEngine` literally (word memories; each
step returns, as host spikes, the input spikes that act in that step, and
adds 1 to every STATE word). They check what the runtime alone decides:
the order of host and chip work inside a step, the packets' step fields,
the decoding of host spikes, Var access through words, probes, and errors
reaching the caller. The real chip (compiler + golden model / RTL) is
tested against the CPU in test_chip_equivalence.py.
"""
from __future__ import annotations

import numpy as np
import pytest

from kilauea import (AbstractNcProcessModel, AbstractProcess, ChipCfg, InPort,
                     KilaueaError, KilaueaNeuroCore, LoihiProtocol, Monitor,
                     OutPort, RunContinuous, RunSteps, Var, implements, requires,
                     tag)
from kilauea.compiler.ir import (CompiledNetwork, CompileReport, HostInput,
                                 HostOutput, VarCopy, VarSlot)
from kilauea.hw import packet
from kilauea.hw.memory_map import Mem
from kilauea.proc.io import sink, source
from kilauea.core.registry import register_executor
from kilauea.runtime.chip import ChipExecutor
from kilauea.sim.engine import ChipEngine, ChipHangError, StepResult
from kilauea.core.pytypes import PyInPort, PyOutPort, LavaPyType
from kilauea.core.model import PyLoihiProcessModel
from kilauea.core.resources import CPU


class Relay(AbstractProcess):
    """A test chip process: a_in -> s_out, with a Var v."""

    def __init__(self, shape, v=0, **kw):
        super().__init__(shape=shape, **kw)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.v = Var(shape=shape, init=v)


@implements(proc=Relay, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcRelay(AbstractNcProcessModel):
    pass


class Fwd(AbstractProcess):
    """A host process forwarding what it receives (no delay)."""

    def __init__(self, shape, **kw):
        super().__init__(shape=shape, **kw)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


@implements(proc=Fwd, protocol=LoihiProtocol)
@requires(CPU)
class PyFwd(PyLoihiProcessModel):
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32)

    def run_spk(self):
        self.s_out.send(self.a_in.recv())


class EchoEngine(ChipEngine):
    """Literal ChipEngine: word memories; step t returns, as host spikes on
    the same axon, every input spike whose step field is t - 1 (it acts in
    step t), and adds 1 to every STATE word."""

    name = "echo"

    def __init__(self, params, hang_at=None):
        super().__init__(params)
        self.mem: dict = {}
        self.log: list = []          # (t, axon, payload, step) per input flit
        self.hang_at = hang_at
        self.closed = False

    def _m(self, tile, mem):
        return self.mem.setdefault((tuple(tile), Mem(mem)), np.zeros(64, np.int64))

    def write_words(self, tile, mem, addr, words):
        words = np.asarray(words, dtype=np.int64).reshape(-1)
        self._m(tile, mem)[self.as_addresses(addr, words.size)] = words & 0xFFFFFFFF

    def read_words(self, tile, mem, addr):
        a = np.asarray(addr, dtype=np.int64)
        return self._m(tile, mem)[a.reshape(-1)].copy()

    def step(self, t, inputs):
        if t == self.hang_at:
            raise ChipHangError(f"step {t} did not finish", step=t, busy_tiles=[(0, 0)])
        w = np.asarray(inputs, dtype=np.uint64)
        ax = packet.decode_field(w, "body", "spike", "axon")
        pay = packet.decode_field(w, "body", "spike", "payload")
        st = packet.decode_field(w, "body", "spike", "step")
        for a, p, s in zip(ax.tolist(), pay.tolist(), st.tolist()):
            self.log.append((t, a, p, s))
        for (tile, mem), arr in self.mem.items():
            if mem is Mem.STATE:
                arr[:] = (arr + 1) & 0xFFFFFFFF
        now = st == (t - 1) % 256
        return StepResult(t, ax[now], pay[now], cycles=10 * t)

    def close(self):
        self.closed = True


def _report(params):
    return CompileReport(params, [], 0, 0, 0.0, 0.0, 0.0)


def _hin(port, base, offset, graded):
    n = int(np.prod(port.shape))
    z = np.zeros(n, np.int64)
    return HostInput(port, n, np.arange(n + 1), z, z, base + np.arange(n), graded, offset)


class EchoCfg(ChipCfg):
    """ChipCfg whose compiler is a hand-made map and whose engine echoes."""

    def __init__(self, build, hang_at=None, **kw):
        super().__init__(mesh=(1, 1), counters=False, **kw)
        self.build = build
        self.hang_at = hang_at


def _echo_executors(cfg: EchoCfg, network) -> list:
    cfg.engine = EchoEngine(cfg.params, cfg.hang_at)
    compiled = cfg.build(network, cfg.params)
    cfg.engine.load_images(compiled.images)
    return [ChipExecutor(network, cfg, compiled, cfg.engine)]


register_executor(EchoCfg, _echo_executors)


def _net(T=8, seed=0):
    rng = np.random.default_rng(seed)
    d1 = rng.integers(-5, 6, (3, T))
    d2 = rng.integers(0, 2, (3, T))
    src1, src2 = source.RingBuffer(data=d1, name="src1"), source.RingBuffer(data=d2, name="src2")
    r1 = Relay((3,), v=np.array([5, -2, 7]), name="r1")
    r2 = Relay((3,), v=1, name="r2")
    k1 = sink.RingBuffer(shape=(3,), buffer=T, name="k1")
    k2 = sink.RingBuffer(shape=(3,), buffer=T, name="k2")
    # the sink comes first in discovery order: the schedule must still put it after the chip
    k1.a_in.connect_from(r1.s_out)
    src1.s_out.connect(r1.a_in)
    src2.s_out.connect(r2.a_in)
    r2.s_out.connect(k2.a_in)
    mon = Monitor()           # joins the two halves into one network
    mon.probe(r1.v, T)
    mon.probe(r2.s_out, T)

    def build(network, params):
        return CompiledNetwork(
            params, {(0, 0): {Mem.STATE: np.array([5, -2 & 0xFFFFFFFF, 7])}},
            {(id(r1), "v"): VarSlot(r1, "v", (3,), [VarCopy(np.zeros(3, np.int64), np.zeros(3, np.int64),
                                                             Mem.STATE, np.arange(3))]),
             (id(r2), "v"): VarSlot(r2, "v", (3,), [], host_only=True)},
            [_hin(src1.s_out, 0, -1, True), _hin(src2.s_out, 10, 0, False)],
            [HostOutput(r1.s_out, 3, 0, True), HostOutput(r2.s_out, 3, 10, False)],
            [r1, r2], _report(params))
    return dict(d1=d1, d2=d2, r1=r1, r2=r2, k1=k1, k2=k2, mon=mon, build=build, T=T)


def test_order_step_fields_and_decoding():
    n = _net()
    cfg = EchoCfg(n["build"])
    T = n["T"]
    n["k1"].run(RunSteps(T), run_cfg=cfg)
    # direct input (step_offset -1): acts in the step it was sent in, and the
    # sink (discovered before the chip) still reads the chip's output of that step
    assert np.array_equal(n["k1"].data.get(), n["d1"])
    # synapse input (step_offset 0): one step later; binary payloads
    exp2 = np.zeros((3, T), np.int64)
    exp2[:, 1:] = n["d2"][:, :-1] != 0
    assert np.array_equal(n["k2"].data.get(), exp2)
    assert np.array_equal(n["mon"].get_data()["r2"]["s_out"], exp2.T)
    # every flit of step t carries step field t - 1
    assert all(s == (t - 1) % 256 for t, _, _, s in cfg.engine.log)
    # probes read the chip's word after each step's barrier
    v = n["mon"].get_data()["r1"]["v"]
    assert np.array_equal(v, np.array([5, -2, 7]) + np.arange(1, T + 1)[:, None])
    rt = n["k1"].runtime
    assert rt.chip.stats.steps == list(range(1, T + 1))
    assert rt.chip.stats.cycles == [10 * t for t in range(1, T + 1)]
    assert rt.chip.stats.spikes_out[0] == np.count_nonzero(n["d1"][:, 0])
    assert "steps run: 8" in rt.chip_report()
    n["k1"].stop()
    assert cfg.engine.closed


def test_step_field_wraps_and_run_after_run():
    n = _net(T=5)
    cfg = EchoCfg(n["build"])
    for _ in range(3):
        n["k1"].run(RunSteps(100), run_cfg=cfg)
    # the last 5 steps of 300 in the ring buffer of the sink
    got = n["k1"].data.get()
    assert np.array_equal(got, n["d1"])
    assert {s for _, _, _, s in cfg.engine.log} <= set(range(256))
    assert any(t > 256 for t, _, _, _ in cfg.engine.log)
    assert all(s == (t - 1) % 256 for t, _, _, s in cfg.engine.log)
    n["k1"].stop()


def test_chip_var_get_set():
    n = _net()
    r1, r2 = n["r1"], n["r2"]
    cfg = EchoCfg(n["build"])
    r1.run(RunSteps(3), run_cfg=cfg)
    assert np.array_equal(r1.v.get(), [8, 1, 10])
    r1.v.set(np.array([-100, 0, 2 ** 31 - 1]))
    assert np.array_equal(r1.v.get(), [-100, 0, 2 ** 31 - 1])
    r1.v.set(4, idx=1)
    assert np.array_equal(r1.v.get(), [-100, 4, 2 ** 31 - 1])
    r1.v.set(np.array([1, 2, 3]))
    r1.run(RunSteps(2))
    assert np.array_equal(r1.v.get(), [3, 4, 5])
    assert np.array_equal(n["mon"].get_data()["r1"]["v"][3:5], [[2, 3, 4], [3, 4, 5]])
    # host-only slot: the host copy; set is refused
    assert np.array_equal(r2.v.get(), [1, 1, 1])
    with pytest.raises(KilaueaError, match="r2.v"):
        r2.v.set(np.array([0, 0, 0]))
    with pytest.raises(ValueError, match="integers"):
        r1.v.set(np.array([0.5, 1, 2]))
    with pytest.raises(ValueError, match="32-bit"):
        r1.v.set(np.array([2 ** 31, 1, 2]))
    r1.stop()


def test_set_while_paused_continuous():
    n = _net()
    r1 = n["r1"]
    cfg = EchoCfg(n["build"])
    r1.run(RunContinuous(), run_cfg=cfg)
    r1.pause()
    t0 = r1.runtime.time_step
    assert t0 >= 0
    base = r1.v.get()
    assert np.array_equal(base, np.array([5, -2, 7]) + t0)
    r1.v.set(np.array([0, 0, 0]))
    r1.run(RunSteps(4))
    assert np.array_equal(r1.v.get(), [4, 4, 4])
    r1.stop()


def test_hang_reaches_caller():
    n = _net()
    cfg = EchoCfg(n["build"], hang_at=3)
    with pytest.raises(ChipHangError) as e:
        n["k1"].run(RunSteps(6), run_cfg=cfg)
    assert e.value.step == 3 and e.value.busy_tiles == [(0, 0)]
    rt = n["k1"].runtime
    assert rt.state == "failed" and rt.time_step == 2
    # Vars are still readable after the failure
    assert np.array_equal(n["r1"].v.get(), np.array([5, -2, 7]) + 2)
    n["k1"].stop()


def test_hang_in_background_run():
    n = _net()
    cfg = EchoCfg(n["build"], hang_at=4)
    n["k1"].run(RunSteps(6, blocking=False), run_cfg=cfg)
    with pytest.raises(ChipHangError):
        n["k1"].wait()
    n["k1"].stop()


def test_chip_host_chip_through_synapses_is_no_cycle():
    """chip r1 -> host Fwd -> chip r2 (entering synapses, step_offset 0): the
    host value of step t is read by the chip in step t + 1, no deadlock."""
    T = 6
    d1 = np.arange(1, 19).reshape(3, T) % 4
    src1 = source.RingBuffer(data=d1, name="src1")
    r1, r2 = Relay((3,), name="r1"), Relay((3,), name="r2")
    fwd = Fwd((3,), name="fwd")
    k2 = sink.RingBuffer(shape=(3,), buffer=T, name="k2")
    src1.s_out.connect(r1.a_in)
    r1.s_out.connect(fwd.a_in)
    fwd.s_out.connect(r2.a_in)
    r2.s_out.connect(k2.a_in)

    def build(network, params):
        return CompiledNetwork(params, {}, {}, [_hin(src1.s_out, 0, -1, True),
                                                _hin(fwd.s_out, 10, 0, True)],
                               [HostOutput(r1.s_out, 3, 0, True),
                                HostOutput(r2.s_out, 3, 10, True)],
                               [r1, r2], _report(params))
    k2.run(RunSteps(T), run_cfg=EchoCfg(build))
    exp = np.zeros((3, T), np.int64)
    exp[:, 1:] = d1[:, :-1]
    assert np.array_equal(k2.data.get(), exp)
    k2.stop()


def test_non_integer_host_value_to_chip():
    T = 3
    src = source.RingBuffer(data=np.full((2, T), 0.5), name="fsrc")
    r = Relay((2,), name="r")
    src.s_out.connect(r.a_in)

    def build(network, params):
        return CompiledNetwork(params, {}, {}, [_hin(src.s_out, 0, -1, True)], [], [r],
                               _report(params))
    cfg = EchoCfg(build, select_tag="floating_pt")
    with pytest.raises(KilaueaError, match=r"fsrc.s_out sent a value .* step 1.*integer"):
        r.run(RunSteps(T), run_cfg=cfg)
    r.stop()


def test_chipcfg_selection_and_defaults():
    cfg = ChipCfg()
    assert cfg.mesh == (2, 2) and cfg.engine == "auto" and cfg.select_tag == "fixed_pt"
    assert ChipCfg(mesh=(3, 2)).params.mesh_w == 3
    r = Relay((2,))
    assert cfg.select(r, [NcRelay]) is NcRelay
    f = Fwd((2,))
    assert cfg.select(f, [PyFwd]) is PyFwd
    assert ChipCfg(exception_proc_model_map={Relay: PyFwd}).select(r, [NcRelay]) is PyFwd
    from kilauea.lava.magma.core.run_configs import Loihi1HwCfg, Loihi2HwCfg
    assert isinstance(Loihi2HwCfg(), ChipCfg) and isinstance(Loihi1HwCfg(), ChipCfg)
    with pytest.raises(TypeError):
        ChipCfg(mesh=3)
    with pytest.raises(ValueError, match="unknown engine 'rtl'"):
        ChipCfg(engine="rtl")
