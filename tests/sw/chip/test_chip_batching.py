"""Batches of chip steps (docs/chip-runtime.md, "Batches of steps"): a run
whose host processes need nothing from the chip between its steps runs
many chip steps per engine call and gives exactly the step-by-step
results: sink data, every LIF's u and v, per-step cycles, packets,
spikes and counters. Random networks, seeded (the seed is in the test id)."""
import numpy as np
import pytest

from chip_testlib import compiler_testkit, sinks_of, walkthrough
from kilauea import (CPU, AbstractProcess, ChipCfg, CpuSimCfg, Dense, InPort, LavaPyType, LIF,
                     LoihiProtocol, OutPort, PyInPort, PyLoihiProcessModel, PyOutPort, RunSteps,
                     implements, requires)
from kilauea.core.exceptions import ProcessModelError
from kilauea.runtime.executor import StepInterrupted

kit = compiler_testkit()
STEPS = 40


def _run(seed, batch, pieces=(STEPS,), engine="model", mesh=(2, 2), steps=STEPS):
    """(sinks, {lif: (u, v)}, stats, plan reason) of a random network run
    in `pieces` with batches of at most `batch` steps."""
    root, lifs = kit.random_network(seed, recurrent=bool(seed % 2), max_neurons=40)
    cfg = ChipCfg(engine=engine, mesh=mesh)
    first = True
    for n in pieces:
        root.run(condition=RunSteps(num_steps=n), run_cfg=cfg)
        if first:
            root.runtime.chip.batch_steps = batch
            first = False
    chip = root.runtime.chip
    sinks = {name: p.data.get() for name, p in sinks_of(root).items()}
    state = {lf.name: (lf.u.get(), lf.v.get()) for lf in lifs}
    st = chip.stats
    figures = (st.steps, st.cycles, st.packets_in, st.spikes_out,
               np.stack(st.counters).tolist(), st.io_cycles)
    reason = chip.batch_plan.reason
    root.stop()
    return sinks, state, figures, reason


def _same(a, b, what):
    sa, va, fa, _ = a
    sb, vb, fb, _ = b
    for k in sb:
        assert np.array_equal(sa[k], sb[k]), f"{what}: sink {k} differs"
    for k in vb:
        assert all(np.array_equal(x, y) for x, y in zip(va[k], vb[k])), f"{what}: {k}.u/v differ"
    assert fa == fb, f"{what}: per-step figures differ"


@pytest.mark.parametrize("seed", range(6))
def test_batched_equals_step_by_step_on_random_networks(seed):
    want = _run(seed, batch=1, pieces=(1, STEPS - 1))
    got = _run(seed, batch=64, pieces=(1, STEPS - 1))
    assert got[3] is None, f"seed {seed}: not batched ({got[3]})"
    _same(got, want, f"seed {seed}, batches of 64")
    odd = _run(seed, batch=7, pieces=(1, 12, STEPS - 13))
    _same(odd, want, f"seed {seed}, batches of 7 in runs of 1, 12, 27")


def test_batched_equals_step_by_step_on_the_rtl():
    pytest.importorskip("amaranth")
    want = _run(3, batch=1, pieces=(1, 5), engine="pysim", mesh=(2, 1), steps=6)
    got = _run(3, batch=64, pieces=(1, 5), engine="pysim", mesh=(2, 1), steps=6)
    assert got[3] is None
    _same(got, want, "pysim")
    assert all(c > 0 for c in got[2][1])


# ------------------------------------------------------------ host processes
class Relay(AbstractProcess):
    """A user's host process: passes on what it receives (scaled)."""

    def __init__(self, shape, k=1):
        super().__init__(shape=shape, k=k)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


@implements(proc=Relay, protocol=LoihiProtocol)
@requires(CPU)
class PyRelay(PyLoihiProcessModel):
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    s_out = LavaPyType(PyOutPort.VEC_DENSE, np.int32)

    def run_spk(self):
        x = self.a_in.recv()
        if self.proc_params["k"] < 0 and self.time_step == -self.proc_params["k"]:
            raise ZeroDivisionError("relay fails on purpose")
        self.s_out.send(x * max(1, self.proc_params["k"]))


def _loop_net(n=6, fail_at=None):
    """LIF a -> Dense -> LIF b (chip) -> Relay (host) -> Dense -> LIF c
    (chip), and a host SpikeGenerator -> Dense -> LIF a."""
    wt = walkthrough()
    rng = np.random.default_rng(5)
    gen = wt.SpikeGenerator(shape=(n,), spike_prob=30, seed=2)
    a = LIF(shape=(n,), vth=20, du=300, dv=200, name="a")
    b = LIF(shape=(n,), vth=30, du=400, dv=100, name="b")
    c = LIF(shape=(n,), vth=25, du=500, dv=300, name="c")
    relay = Relay(shape=(n,), k=-fail_at if fail_at else 1)
    d0, d1, d2 = (Dense(weights=rng.integers(0, 40, (n, n))) for _ in range(3))
    gen.s_out.connect(d0.s_in)
    d0.a_out.connect(a.a_in)
    a.s_out.connect(d1.s_in)
    d1.a_out.connect(b.a_in)
    b.s_out.connect(relay.a_in)
    relay.s_out.connect(d2.s_in)
    d2.a_out.connect(c.a_in)
    return gen, (a, b, c)


def _state(lifs):
    return [np.concatenate([lf.u.get(), lf.v.get()]) for lf in lifs]


@pytest.mark.parametrize("cfg", ["cpu", "model"])
def test_host_process_in_a_loop_with_the_chip_runs_step_by_step(cfg):
    """A chip -> host -> chip path: the chip needs the host's value every
    step, so the run is not batched, and equals the CPU's."""
    gen, lifs = _loop_net()
    run_cfg = CpuSimCfg(select_tag="fixed_pt") if cfg == "cpu" else ChipCfg(engine="model")
    gen.run(condition=RunSteps(num_steps=30), run_cfg=run_cfg)
    if cfg == "model":
        assert "chip -> host -> chip" in gen.runtime.chip.batch_plan.reason
    got = _state(lifs)
    gen.stop()
    gen2, lifs2 = _loop_net()
    gen2.run(condition=RunSteps(num_steps=30), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    want = _state(lifs2)
    gen2.stop()
    assert all(np.array_equal(x, y) for x, y in zip(got, want))


class Counter(AbstractProcess):
    def __init__(self, shape):
        super().__init__(shape=shape)
        self.a_in = InPort(shape=shape)
        self.count = __import__("kilauea").Var(shape=shape, init=0)


@implements(proc=Counter, protocol=LoihiProtocol)
@requires(CPU)
class PyCounter(PyLoihiProcessModel):
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    count = LavaPyType(np.ndarray, np.int64)

    def run_spk(self):
        self.count += self.a_in.recv() * self.time_step


def _gen_net(fail_at=None):
    """A user's SpikeGenerator -> Dense -> LIF (chip) -> Relay -> Counter
    (host): host processes send to and receive from the chip every step."""
    wt = walkthrough()
    gen = wt.SpikeGenerator(shape=(8,), spike_prob=40, seed=3)
    d = Dense(weights=np.random.default_rng(1).integers(0, 60, (8, 8)))
    lif = LIF(shape=(8,), vth=30, du=200, dv=300, name="lif")
    relay = Relay(shape=(8,), k=-fail_at if fail_at else 2)
    cnt = Counter(shape=(8,))
    gen.s_out.connect(d.s_in)
    d.a_out.connect(lif.a_in)
    lif.s_out.connect(relay.a_in)
    relay.s_out.connect(cnt.a_in)
    return gen, lif, cnt


@pytest.mark.parametrize("batch", [1, 5, 64])
def test_host_processes_sending_and_receiving_every_step(batch):
    gen, lif, cnt = _gen_net()
    gen.run(condition=RunSteps(num_steps=1), run_cfg=ChipCfg(engine="model"))
    gen.runtime.chip.batch_steps = batch
    assert gen.runtime.chip.batch_plan.reason is None
    gen.run(condition=RunSteps(num_steps=49))
    got = cnt.count.get(), lif.v.get(), gen.runtime.chip.stats.packets_in
    gen.stop()
    gen2, lif2, cnt2 = _gen_net()
    gen2.run(condition=RunSteps(num_steps=50), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    assert np.array_equal(got[0], cnt2.count.get()) and got[0].any()
    assert np.array_equal(got[1], lif2.v.get())
    assert sum(got[2]) > 0
    gen2.stop()


def test_an_error_in_a_batch_names_its_step_and_stops_the_rest():
    """The Relay (downstream of the chip) fails in step 23 of a batched
    run: the error names step 23; the Counter after it stopped at step 22;
    the chip ran ahead to the end of its batch (as a Lava sender runs ahead
    of its receivers)."""
    gen, lif, cnt = _gen_net(fail_at=23)
    with pytest.raises(ProcessModelError, match=r"PyRelay.*run_spk.*time step 23") as e:
        gen.run(condition=RunSteps(num_steps=50), run_cfg=ChipCfg(engine="model"))
    assert e.value.time_step == 23
    chip = gen.runtime.chip
    assert chip.batch_plan.reason is None and chip.stats.steps[-1] == 50
    counted = cnt.count.get()
    gen.stop()
    gen2, _, cnt2 = _gen_net(fail_at=23)
    gen2.run(condition=RunSteps(num_steps=22), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
    assert np.array_equal(counted, cnt2.count.get())
    gen2.stop()


class Stopper(AbstractProcess):
    def __init__(self, shape, at):
        super().__init__(shape=shape, at=at)
        self.a_in = InPort(shape=shape)


@implements(proc=Stopper, protocol=LoihiProtocol)
@requires(CPU)
class PyStopper(PyLoihiProcessModel):
    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32)

    def run_spk(self):
        self.a_in.recv()
        if self.time_step == self.proc_params["at"]:
            raise KeyboardInterrupt


def test_an_interrupt_in_a_batch_stops_at_the_end_of_the_batch():
    """Every part agrees on the step after a Ctrl-C (the batch's last),
    and the rest of the run gives the uninterrupted result."""
    def net(at):
        a = LIF(shape=(3,), bias_mant=[3, 5, 7], vth=20, name="a")
        d = Dense(weights=np.array([[9, 4, 0], [0, 8, 11]]))
        b = LIF(shape=(2,), du=400, dv=300, vth=30, name="b")
        stop = Stopper(shape=(2,), at=at)
        a.s_out.connect(d.s_in)
        d.a_out.connect(b.a_in)
        b.s_out.connect(stop.a_in)
        return a, b
    a, b = net(at=-1)
    a.run(condition=RunSteps(num_steps=30), run_cfg=ChipCfg(engine="model", mesh=(1, 1)))
    want = b.v.get(), b.u.get()
    a.stop()
    a, b = net(at=7)
    cfg = ChipCfg(engine="model", mesh=(1, 1))
    a.run(condition=RunSteps(num_steps=2), run_cfg=cfg)
    a.runtime.chip.batch_steps = 4
    with pytest.raises(StepInterrupted) as e:
        a.run(condition=RunSteps(num_steps=28))
    rt = a.runtime
    assert e.value.time_step == 10 == rt.time_step      # steps 7..10 were one batch
    assert rt.chip.node.time_step == 10 and rt.chip.stats.steps[-1] == 10
    a.run(condition=RunSteps(num_steps=21))
    assert np.array_equal(b.v.get(), want[0]) and np.array_equal(b.u.get(), want[1])
    a.stop()
