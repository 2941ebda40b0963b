"""Issue 13, item 5: after a ChipHangError, Var.get returns the chip's state
once the hung step has ended (no second ChipHangError), and the hung job's
late packets (its DONE, host-port STATUS notices, answers to abandoned
reads) do not surface in the next job as "unexpected packets"."""
import numpy as np
import pytest

from kilauea import ChipCfg, Dense, LIF, RunSteps
from kilauea.core.exceptions import RuntimeStateError
from kilauea.sim.engine import ChipHangError


def _net():
    a = LIF(shape=(3,), vth=10, bias_mant=30, name="a")
    b = LIF(shape=(2,), name="b")
    d = Dense(weights=np.ones((2, 3), int), name="d")
    a.s_out.connect(d.s_in)
    d.a_out.connect(b.a_in)
    return a, b


def _after_one_step():
    a, b = _net()
    a.run(condition=RunSteps(num_steps=1), run_cfg=ChipCfg(engine="model", mesh=(1, 1)))
    out = a.v.get(), a.u.get(), b.v.get()
    a.stop()
    return out


def test_var_get_after_a_slow_step_hang_reads_the_ended_step():
    want = _after_one_step()
    a, b = _net()
    with pytest.raises(ChipHangError) as e:
        a.run(condition=RunSteps(num_steps=3),
              run_cfg=ChipCfg(engine="pysim", mesh=(1, 1), max_cycles=20, counters=False))
    assert e.value.step == 1
    got = a.v.get(), a.u.get(), b.v.get()       # the step ended late: its state
    for g, w in zip(got, want):
        assert np.array_equal(g, w)
    engine = a.runtime.chip.engine
    assert engine.hung is None
    assert a.runtime.state == "failed"
    a.stop()


def test_next_step_after_a_hang_takes_the_late_packets():
    """Engine level: the hung step's late DONE and HANG notice arrive during
    the next step; they are the hung step's, not unexpected."""
    a, b = _net()
    with pytest.raises(ChipHangError):
        a.run(condition=RunSteps(num_steps=3),
              run_cfg=ChipCfg(engine="pysim", mesh=(1, 1), max_cycles=20, counters=False))
    engine = a.runtime.chip.engine
    assert engine.hung == 1
    engine.max_cycles = 100_000
    engine.step(2)                              # no "unexpected packets from the chip"
    assert engine.hung is None
    engine.step(3)
    a.stop()


def test_var_get_while_the_chip_is_stuck_says_so():
    a, b = _net()
    a.run(condition=RunSteps(num_steps=1),
          run_cfg=ChipCfg(engine="pysim", mesh=(1, 1), max_cycles=500, counters=False))
    engine = a.runtime.chip.engine
    engine.hold_host_out()                      # nothing leaves the chip: a real hang
    engine.max_cycles = 20
    with pytest.raises(ChipHangError):
        a.run(condition=RunSteps(num_steps=1))
    with pytest.raises(RuntimeStateError, match=r"Var a\.v: the chip hung in step 2 and "
                                                r"is still stuck"):
        a.v.get()
    engine.hold_host_out(False)
    assert a.v.get().shape == (3,)              # released: the step ends, reads work
    a.stop()


def test_a_refused_packet_names_the_job_that_sent_it():
    """A packet the host port refuses is reported (never dropped silently);
    its late REJECTED notice, arriving in the next job, names the job
    before it as a possible sender."""
    from kilauea.hw import packet
    from kilauea.hw.params import ChipParams
    from kilauea.sim.engines.pysim import PysimEngine
    bad = packet.Ctrl(packet.Dest(0, 0, False), packet.CtrlOp.DONE, arg=0).encode()
    with PysimEngine(ChipParams(mesh_w=1, mesh_h=1)) as e:
        with pytest.raises(RuntimeError, match=r"refused a packet .*write job \(after step 0\)"):
            e._send_writes(np.array([bad], dtype=np.uint64))
            e.step(1)
