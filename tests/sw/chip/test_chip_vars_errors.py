"""Var access on the chip (between runs, while paused) changes the future
exactly as on the CPU; host <-> chip loops; errors reach the caller."""
import time

import numpy as np
import pytest

import chip_testlib as lib
from kilauea import (ChipCfg, CpuSimCfg, Dense, KilaueaError, LIF, Monitor,
                     RunContinuous, RunSteps)
from kilauea.compiler import CompileError
from kilauea.hw.params import ChipParams
from kilauea.proc.io import sink, source
from kilauea.sim.engine import ChipHangError

SMALL = dict(n_compartments=16, n_synapses=512, n_axons=64, n_fanout=128,
             n_acc_rows=64)               # room for multi-group compartments
CPU_CFG = CpuSimCfg(select_tag="fixed_pt")


def _chip(mesh=(2, 2)):
    return ChipCfg(params=ChipParams(mesh_w=mesh[0], mesh_h=mesh[1], **SMALL), engine="model")


def _edit(lifs, k):
    """Var.set calls applied at pause k (the same on CPU and chip)."""
    a, b = lifs[0], lifs[-1]
    if k == 0:
        a.v.set(np.arange(a.v.shape[0]) * 7 - 20)
        b.u.set(np.full(b.u.shape, 300))
        a.du.set(np.array([4000]))          # a scalar held once per core
    else:
        a.v.set(-100, idx=0)
        b.vth.set(np.array([3]))
        b.bias_mant.set(np.full(b.bias_mant.shape, 50))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_set_between_runs_changes_future_as_on_cpu(seed):
    tk = lib.compiler_testkit()
    n = 45
    root, lifs = tk.random_network(seed, seed % 2 == 1, 56)
    want, _, _ = lib.run_recorded(root, lifs, n, CPU_CFG, splits=[15, 15, 15],
                                  between=lambda k: _edit(lifs, k))
    root, lifs2 = tk.random_network(seed, seed % 2 == 1, 56)
    got, _, _ = lib.run_recorded(root, lifs2, n, _chip(), splits=[15, 15, 15],
                                 between=lambda k: _edit(lifs2, k))
    diff = lib.first_difference(got, want)
    assert diff is None, f"seed {seed}: {diff}"
    # the edits really changed the run
    root, lifs3 = tk.random_network(seed, seed % 2 == 1, 56)
    plain, _, _ = lib.run_recorded(root, lifs3, n, _chip())
    assert lib.first_difference(plain, want) is not None


def test_get_set_while_paused_continuous():
    """RunContinuous on the chip, pause at some step t; the CPU runs t steps;
    Vars agree; the same sets; both go on and stay equal."""
    tk = lib.compiler_testkit()
    root, lifs = tk.random_network(5, True, 56)
    root.run(condition=RunContinuous(), run_cfg=_chip())
    time.sleep(0.05)
    root.pause()
    t = root.runtime.time_step
    assert t >= 1 and root.runtime.state == "paused"
    croot, clifs = tk.random_network(5, True, 56)
    croot.run(condition=RunSteps(num_steps=t), run_cfg=CPU_CFG)

    def same(where):
        for a, b in zip(lifs, clifs):
            for name in ("u", "v"):
                assert np.array_equal(getattr(a, name).get(), getattr(b, name).get()), \
                    f"{where}: {a.name}.{name} (paused at step {t})"
    same("at the pause")
    for ls in (lifs, clifs):
        ls[0].v.set(np.full(ls[0].v.shape, 77))
        ls[-1].dv.set(np.array([100]))
    same("after set")
    for k in range(4):
        root.run(condition=RunSteps(num_steps=3))
        croot.run(condition=RunSteps(num_steps=3))
        same(f"after {3 * (k + 1)} more steps")
    # a continuous run goes on after the sets too; pause, compare
    root.run(condition=RunContinuous())
    time.sleep(0.02)
    root.pause()
    croot.run(condition=RunSteps(num_steps=root.runtime.time_step - croot.runtime.time_step))
    same("after a second continuous run")
    root.stop()
    croot.stop()


def _relay_loop(n_steps):
    """src -> Dense(chip) -> L1(chip) -> Relay(host) -> Dense(chip) -> L1
    and L1 -> Dense -> L2(chip) -> sink: chip spikes go through a host
    process back into chip synapses (no same-step dependency)."""
    tk = lib.compiler_testkit()
    rng = np.random.default_rng(11)
    src = source.RingBuffer(data=(rng.random((4, 9)) < 0.5).astype(np.int32), name="src")
    l1 = LIF(shape=(5,), du=900, dv=700, vth=40, bias_mant=rng.integers(0, 30, 5), name="L1")
    l2 = LIF(shape=(3,), du=500, dv=1500, vth=20, name="L2")
    relay = tk.Relay((5,), name="relay")
    d_in = Dense(weights=rng.integers(0, 120, (5, 4)), name="d_in")
    d_back = Dense(weights=rng.integers(-90, 90, (5, 5)), name="d_back")
    d_out = Dense(weights=rng.integers(0, 100, (3, 5)), name="d_out")
    k = sink.RingBuffer(shape=(3,), buffer=n_steps, name="sink")
    src.s_out.connect(d_in.s_in)
    d_in.a_out.connect(l1.a_in)
    l1.s_out.connect(relay.a_in)
    relay.s_out.connect(d_back.s_in)
    d_back.a_out.connect(l1.a_in)
    l1.s_out.connect(d_out.s_in)
    d_out.a_out.connect(l2.a_in)
    l2.s_out.connect(k.a_in)
    return l1, [l1, l2]


def test_chip_host_chip_loop_through_synapses_equals_cpu():
    n = 50
    root, lifs = _relay_loop(n)
    want, wsinks, _ = lib.run_recorded(root, lifs, n, CPU_CFG)
    root, lifs = _relay_loop(n)
    got, gsinks, chip = lib.run_recorded(root, lifs, n, _chip((1, 1)))
    assert lib.first_difference(got, want) is None, lib.first_difference(got, want)
    assert np.array_equal(gsinks["sink"], wsinks["sink"])
    assert want["L1"]["s_out"].sum() > 0 and want["L2"]["s_out"].sum() > 0
    assert sum(chip.stats.packets_in) > 0 and sum(chip.stats.spikes_out) > 0


def test_zero_delay_chip_host_chip_loop_is_rejected():
    tk = lib.compiler_testkit()
    l1 = LIF(shape=(3,), vth=10, bias_mant=20, name="L1")
    relay = tk.Relay((3,), name="relay")
    l2 = LIF(shape=(3,), name="L2")
    d = Dense(weights=np.eye(3, dtype=int), name="d")
    l1.s_out.connect(relay.a_in)
    relay.s_out.connect(l2.a_in)          # straight into a chip neuron's input
    l2.s_out.connect(d.s_in)
    d.a_out.connect(l1.a_in)
    with pytest.raises(CompileError, match="zero-delay chip -> host -> chip"):
        l1.run(condition=RunSteps(num_steps=3), run_cfg=_chip((1, 1)))
    assert l1.runtime is None


def test_float_parameters_on_chip_are_rejected():
    a = LIF(shape=(3,), du=0.1, dv=0.1, vth=10., bias_mant=1.5, name="floaty")
    b = LIF(shape=(2,), name="b")
    d = Dense(weights=np.ones((2, 3)))
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    with pytest.raises(CompileError,
                       match=r"'floaty'.*parameter '(du|dv|vth|bias_mant)'.*integers"):
        a.run(condition=RunSteps(num_steps=2), run_cfg=ChipCfg(engine="model"))


def test_network_too_big_for_the_mesh():
    a = LIF(shape=(40,), name="big")
    b = LIF(shape=(2,), name="b")
    d = Dense(weights=np.ones((2, 40), int))
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    with pytest.raises(CompileError, match="compartments"):
        a.run(condition=RunSteps(num_steps=2), run_cfg=_chip((1, 1)))


def test_host_only_var_get_and_refused_set():
    a = LIF(shape=(3,), vth=10, bias_mant=30, name="a")
    b = LIF(shape=(2,), name="b")
    w = np.array([[1, 2, 3], [4, 5, 6]])
    d = Dense(weights=w, name="d")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    a.run(condition=RunSteps(num_steps=3), run_cfg=_chip((1, 1)))
    assert np.array_equal(d.weights.get(), w)
    d.weights.set(np.zeros((2, 3)))             # recompiles and reloads (test_chip_updates.py)
    assert np.array_equal(d.weights.get(), np.zeros((2, 3)))
    with pytest.raises(KilaueaError, match="d.a_buff"):
        d.a_buff.set(np.zeros(2))               # the in-flight input: refused
    assert a.runtime.state == "ready"
    a.run(condition=RunSteps(num_steps=2))      # still runs after the sets
    assert a.runtime.time_step == 5
    a.stop()


def test_weights_set_before_the_first_run_are_compiled():
    """Var.set before the runtime exists changes the init the compiler uses."""
    res = {}
    for name, cfg in (("cpu", CPU_CFG), ("chip", _chip((1, 1)))):
        a = LIF(shape=(3,), vth=10, bias_mant=(30, 40, 50), name="a")
        b = LIF(shape=(2,), vth=5, name="b")
        d = Dense(weights=np.zeros((2, 3), int), name="d")
        a.s_out.connect(d.s_in)
        d.a_out.connect(b.a_in)
        d.weights.set(np.array([[40, 0, 0], [0, 0, 90]]))
        b.v.set(np.array([0, 100]))
        m = Monitor()
        m.probe(b.v, 30)
        a.run(condition=RunSteps(num_steps=30), run_cfg=cfg)
        res[name] = m.get_data()["b"]["v"]
        a.stop()
    assert np.array_equal(res["chip"], res["cpu"]) and np.abs(res["cpu"]).sum() > 0


def test_real_hang_on_rtl_surfaces_in_caller():
    """A cycle bound below what a step needs: the RTL engine's ChipHangError
    (naming the step and the chip's state) reaches the caller."""
    a = LIF(shape=(3,), vth=10, bias_mant=30, name="a")
    b = LIF(shape=(2,), name="b")
    d = Dense(weights=np.ones((2, 3), int))
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    with pytest.raises(ChipHangError) as e:
        a.run(condition=RunSteps(num_steps=3),
              run_cfg=ChipCfg(engine="pysim", mesh=(1, 1), max_cycles=20, counters=False))
    assert e.value.step == 1 and "step 1" in str(e.value)
    rt = a.runtime
    assert rt.state == "failed" and rt.time_step == 0
    with pytest.raises(KilaueaError):
        a.run(condition=RunSteps(num_steps=1))
    a.stop()


# ------------------------------------------------ a host process with a RefPort
from kilauea import (AbstractProcess, CPU, LavaPyType, LoihiProtocol,  # noqa: E402
                     PyLoihiProcessModel, PyRefPort, RefPort, implements, requires)


class Clamp(AbstractProcess):
    """Every `period` steps, reads a Var through a RefPort and writes back
    its value clamped to [lo, hi] (post-management phase)."""

    def __init__(self, target, period, lo, hi, **kw):
        super().__init__(period=period, lo=lo, hi=hi, **kw)
        self.ref = RefPort(shape=target.shape)
        self.ref.connect_var(target)


@implements(proc=Clamp, protocol=LoihiProtocol)
@requires(CPU)
class PyClamp(PyLoihiProcessModel):
    ref = LavaPyType(PyRefPort.VEC_DENSE, np.int32)

    def post_guard(self):
        return self.time_step % self.proc_params["period"] == 0

    def run_post_mgmt(self):
        p = self.proc_params
        self.ref.write(np.clip(self.ref.read(), p["lo"], p["hi"]))


def test_host_refport_reads_and_writes_chip_var_as_on_cpu():
    tk = lib.compiler_testkit()
    n = 40
    res = {}
    for name, cfg in (("cpu", CPU_CFG), ("chip", _chip()), ("plain", CPU_CFG)):
        root, lifs = tk.random_network(2, False, 40)
        if name != "plain":
            Clamp(lifs[0].v, period=3, lo=-50, hi=60, name="clamp")
        res[name], _, _ = lib.run_recorded(root, lifs, n, cfg)
    assert lib.first_difference(res["chip"], res["cpu"]) is None, \
        lib.first_difference(res["chip"], res["cpu"])
    assert lib.first_difference(res["plain"], res["cpu"]) is not None   # the writes acted


def test_stats_keep_the_last_steps_and_totals():
    from kilauea.runtime.chip import ChipStats
    st = ChipStats(tiles=[(0, 0)], counter_names=["a", "b"], keep=5)
    for t in range(1, 23):
        st.record(t, 10 + t, 1, 2, np.array([[t, 1]]))
    assert st.n_steps == 22 and st.steps[-1] == 22 and 5 <= len(st.steps) <= 10
    assert len(st.counters) == len(st.steps) == len(st.cycles)
    assert st.total_cycles == sum(10 + t for t in range(1, 23))
    assert st.total_packets_in == 22 and st.total_spikes_out == 44
    assert st.total_counters.tolist() == [[sum(range(1, 23)), 22]]
    assert st.counter("a")[:, 0].tolist() == st.steps


# ------------------------------------------------ async host processes
from kilauea import (AsyncProtocol, InPort, OutPort, PyAsyncProcessModel,  # noqa: E402
                     PyInPort, PyOutPort, Var)


class Counter(AbstractProcess):
    """Async source: sends (t mod 3 == 0) spikes on 4 lines."""

    def __init__(self, **kw):
        super().__init__(**kw)
        self.s_out = OutPort(shape=(4,))


@implements(proc=Counter, protocol=AsyncProtocol)
@requires(CPU)
class PyCounter(PyAsyncProcessModel):
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32)

    def run_async(self):
        while True:
            t = self.time_step
            self.s_out.send(np.array([t % 3 == 0, t % 2 == 0, t % 5 == 0, 1], dtype=np.int32))
            if self.check_for_stop_cmd():
                return


class Accumulate(AbstractProcess):
    """Async sink: sums what it receives, weighted by the step."""

    def __init__(self, shape, **kw):
        super().__init__(**kw)
        self.a_in = InPort(shape=shape)
        self.total = Var(shape=shape, init=0)


@implements(proc=Accumulate, protocol=AsyncProtocol)
@requires(CPU)
class PyAccumulate(PyAsyncProcessModel):
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int64)
    total = LavaPyType(np.ndarray, np.int64)

    def run_async(self):
        while True:
            self.total = self.total + self.a_in.recv() * self.time_step
            if self.check_for_stop_cmd():
                return


def test_async_host_processes_around_the_chip():
    res = {}
    for name, cfg in (("cpu", CPU_CFG), ("chip", _chip((1, 1)))):
        c = Counter(name="counter")
        d = Dense(weights=np.array([[60, 0, 0, 5], [0, 70, 30, 5], [20, 20, 20, 20]]), name="d")
        lif = LIF(shape=(3,), du=300, dv=600, vth=30, name="L")
        acc = Accumulate((3,), name="acc")
        c.s_out.connect(d.s_in)
        d.a_out.connect(lif.a_in)
        lif.s_out.connect(acc.a_in)
        lif.run(condition=RunSteps(num_steps=20), run_cfg=cfg)
        lif.run(condition=RunSteps(num_steps=15))
        res[name] = (acc.total.get(), lif.v.get(), lif.u.get())
        lif.stop()
    for a, b in zip(res["chip"], res["cpu"]):
        assert np.array_equal(a, b)
    assert res["cpu"][0].sum() > 0


def test_core_error_flag_stops_the_run():
    """A core that flags an error (here a host WRITE past the end of a
    memory) stops the run after the step with ChipStatusError."""
    from kilauea.hw.memory_map import Mem
    from kilauea.runtime.chip import ChipStatusError
    a = LIF(shape=(3,), vth=10, bias_mant=30, name="a")
    b = LIF(shape=(2,), name="b")
    d = Dense(weights=np.ones((2, 3), int))
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    a.run(condition=RunSteps(num_steps=2), run_cfg=_chip((1, 1)))
    chip = a.runtime.chip
    chip.engine.write_words((0, 0), Mem.AXON, [chip.compiled.params.n_axons + 5], [1])
    with pytest.raises(ChipStatusError, match=r"step 3: core \(0, 0\) reports error flags"):
        a.run(condition=RunSteps(num_steps=2))
    a.stop()


@pytest.mark.parametrize("var, value, lo_hi", [
    ("du", [5000], "0..4095"), ("dv", [-3], "0..4095"), ("vth", [1 << 17], "0..131071"),
    ("bias_exp", [9, 9], "-8..7"), ("bias_mant", [10000, 0], "-4096..4095")])
def test_set_out_of_fixed_point_range_is_rejected(var, value, lo_hi):
    """A parameter set on the chip outside the spec's width raises (the CPU's
    fixed_pt model rejects it too) instead of running with a value the CPU
    would never run; the chip keeps the old value."""
    lif = LIF(shape=(2,), bias_mant=[1, 2], du=7, dv=9, vth=50)
    dense = Dense(weights=np.eye(2, dtype=int))
    lif2 = LIF(shape=(2,))
    lif.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    lif.run(condition=RunSteps(num_steps=1), run_cfg=_chip())
    before = getattr(lif, var).get()
    try:
        with pytest.raises(ValueError, match=rf"{lif.name}\.{var}.*{lo_hi}"):
            getattr(lif, var).set(np.array(value))
        np.testing.assert_array_equal(getattr(lif, var).get(), before)
    finally:
        lif.stop()


@pytest.mark.parametrize("run_cfg", ["cpu", "chip"])
def test_non_integer_values_into_integer_vars_are_rejected_not_truncated(run_cfg):
    """Setting 1.5 into an integer Var (a LIF's v, a fixed-point Dense's
    weights) is an error on both backends, never a silent truncation."""
    from kilauea import LIF, ChipCfg, CpuSimCfg, Dense, RunSteps

    lif1 = LIF(shape=(2,), bias_mant=[3, 5], bias_exp=6, vth=8, name="a")
    dense = Dense(weights=np.eye(2, dtype=int) * 10, name="d")
    lif2 = LIF(shape=(2,), vth=100, name="b")
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    cfg = CpuSimCfg(select_tag="fixed_pt") if run_cfg == "cpu" else ChipCfg(engine="model")
    lif1.run(condition=RunSteps(num_steps=2), run_cfg=cfg)
    try:
        with pytest.raises(ValueError, match="non-integer value 1.7"):
            lif2.v.set(np.array([1.7, 2.0]))
        with pytest.raises(ValueError, match="non-integer value 1.5"):
            dense.weights.set(np.eye(2) * 1.5)
        lif2.v.set(np.array([4.0, 2.0]))           # integral floats are fine
        np.testing.assert_array_equal(lif2.v.get(), [4, 2])
    finally:
        lif1.stop()
