"""Issue 13, item 4: a Ctrl-C during a run stops it at a step boundary with
every part agreeing on the step (runtime, chip, Monitors); the user can
get(), run() again and stop(). The interrupt is simulated by a host model
that raises KeyboardInterrupt (or sends itself SIGINT) in step K."""
import os
import signal

import numpy as np
import pytest

from kilauea import (CPU, AbstractProcess, ChipCfg, CpuSimCfg, Dense, InPort, LavaPyType,
                     LIF, LoihiProtocol, Monitor, PyInPort, PyLoihiProcessModel, RunSteps,
                     implements, requires)
from kilauea.runtime.executor import StepInterrupted

K, N = 7, 20


class Stopper(AbstractProcess):
    """Receives spikes; in step ``at`` raises KeyboardInterrupt after its
    recv (``how="raise"``) or sends the process SIGINT (``how="signal"``)."""

    def __init__(self, shape, at, how="raise", **kw):
        super().__init__(at=at, how=how, **kw)
        self.s_in = InPort(shape=shape)


@implements(proc=Stopper, protocol=LoihiProtocol)
@requires(CPU)
class PyStopper(PyLoihiProcessModel):
    s_in = LavaPyType(PyInPort.VEC_DENSE, float)

    def run_spk(self):
        self.s_in.recv()
        if self.time_step == self.proc_params["at"]:
            if self.proc_params["how"] == "raise":
                raise KeyboardInterrupt
            os.kill(os.getpid(), signal.SIGINT)


def _net(at, how):
    a = LIF(shape=(3,), bias_mant=[3, 5, 7], vth=20, name="a")
    d = Dense(weights=np.array([[9, 4, 0], [0, 8, 11]]), name="d")
    b = LIF(shape=(2,), du=400, dv=300, vth=30, name="b")
    stop = Stopper(shape=(2,), at=at, how=how, name="stop")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    b.s_out.connect(stop.s_in)
    mon = Monitor(name="mon")
    mon.probe(b.v, N)
    return a, b, mon


def _reference(cfg):
    a, b, mon = _net(at=-1, how="raise")
    a.run(condition=RunSteps(num_steps=N), run_cfg=cfg)
    out = mon.get_data()["b"]["v"], b.u.get()
    a.stop()
    return out


CFGS = {"cpu": CpuSimCfg(select_tag="fixed_pt"),
        "model": ChipCfg(engine="model", mesh=(1, 1)),
        "pysim": ChipCfg(engine="pysim", mesh=(1, 1), counters=False)}


@pytest.mark.parametrize("how", ["raise", "signal"])
@pytest.mark.parametrize("where", ["cpu", "model", "pysim"])
def test_interrupt_stops_at_a_step_boundary_and_resumes(where, how, monkeypatch):
    if how == "signal" and where == "pysim":
        pytest.skip("one signal case on the RTL is enough (see the model case)")
    # the step-by-step chip path stops at step K itself; a batched run (the
    # Monitor's probes run in batches) stops after its batch's last step
    # (tests/sw/chip/test_chip_probe_batching.py)
    monkeypatch.setattr("kilauea.runtime.chip.executor.MAX_BATCH", 1)
    cfg = CFGS[where]
    want_v, want_u = _reference(cfg)
    a, b, mon = _net(at=K, how=how)
    with pytest.raises(KeyboardInterrupt) as e:
        a.run(condition=RunSteps(num_steps=N), run_cfg=cfg)
    assert isinstance(e.value, StepInterrupted) and e.value.time_step == K
    rt = a.runtime
    assert rt.time_step == K and rt.state == "ready"
    chip = rt.chip
    if chip is not None:
        assert chip.node.time_step == K and chip.stats.steps[-1] == K
        assert getattr(chip.engine, "t", None) in (None, K)
    rec = mon.get_data()["b"]["v"]
    assert np.array_equal(rec[:K], want_v[:K]) and not rec[K:].any()
    b.v.get()
    a.run(condition=RunSteps(num_steps=N - K))        # the rest of the run
    assert rt.time_step == N
    assert np.array_equal(mon.get_data()["b"]["v"], want_v)
    assert np.array_equal(b.u.get(), want_u)
    a.stop()
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_interrupt_in_a_background_run_surfaces_in_wait():
    a, b, mon = _net(at=K, how="raise")
    a.run(condition=RunSteps(num_steps=N, blocking=False), run_cfg=CFGS["cpu"])
    with pytest.raises(StepInterrupted):
        a.wait()
    rt = a.runtime
    assert rt.time_step == K and rt.state == "ready"
    a.run(condition=RunSteps(num_steps=3))
    assert rt.time_step == K + 3
    a.stop()
