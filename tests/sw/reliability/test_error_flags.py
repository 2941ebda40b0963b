"""Issue 13, item 3: the cores' error flags are checked after every step
whatever ``ChipCfg(counters=...)``; the error is sticky and names the step
the flag first showed in."""
import numpy as np
import pytest

from kilauea import ChipCfg, Dense, GradedVec, RunSteps
from kilauea.proc.io import source
from kilauea.runtime.chip import ChipStatusError

OVERFLOW_STEP = 5     # the host value sent in step 4 reaches g in step 5


def _graded_overflow():
    """A graded value of 2**21 * 100 (beyond the 24-bit payload) leaves g in
    step 5: the neuron engine flags BAD_OPCODE."""
    data = np.zeros((1, 8), np.int32)
    data[0, 3] = 1 << 21
    src = source.RingBuffer(data=data, name="src")
    d0 = Dense(weights=np.array([[100]]), num_message_bits=24, name="d0")
    g = GradedVec(shape=(1,), vth=0, name="g")
    d1 = Dense(weights=np.array([[1]]), num_message_bits=24, name="d1")
    h = GradedVec(shape=(1,), vth=0, name="h")
    src.s_out.connect(d0.s_in)
    d0.a_out.connect(g.a_in)
    g.s_out.connect(d1.s_in)
    d1.a_out.connect(h.a_in)
    return src


@pytest.mark.parametrize("engine", ["model", "pysim"])
@pytest.mark.parametrize("counters", [True, False])
@pytest.mark.parametrize("steps_per_run", [8, 1])
def test_graded_overflow_is_reported_at_its_step(engine, counters, steps_per_run):
    src = _graded_overflow()
    cfg = ChipCfg(engine=engine, mesh=(1, 1), counters=counters)
    with pytest.raises(ChipStatusError, match=rf"step {OVERFLOW_STEP}: core \(0, 0\) reports "
                                              r"error flags \['BAD_OPCODE'\]") as e:
        for _ in range(8 // steps_per_run):
            src.run(condition=RunSteps(num_steps=steps_per_run), run_cfg=cfg)
    assert e.value.time_step == OVERFLOW_STEP and e.value.tile == (0, 0)
    assert e.value.flags == ("BAD_OPCODE",)
    node = src.runtime.chip.node
    assert node.error is e.value                    # sticky
    with pytest.raises(ChipStatusError) as again:
        node.run_spk()
    assert again.value is e.value
    src.stop()


def test_flags_are_read_with_counters_off_on_a_2x2_mesh():
    """A flag on a core that runs nothing (a host WRITE past the end of a
    memory) is found too."""
    from kilauea import LIF
    from kilauea.hw.memory_map import Mem
    a = LIF(shape=(3,), vth=10, bias_mant=30, name="a")
    a.run(condition=RunSteps(num_steps=2), run_cfg=ChipCfg(engine="model", mesh=(2, 2),
                                                           counters=False))
    chip = a.runtime.chip
    chip.engine.write_words((1, 1), Mem.AXON, [chip.compiled.params.n_axons + 5], [1])
    with pytest.raises(ChipStatusError, match=r"step 3: core \(1, 1\) reports error flags "
                                              r"\['BAD_ADDR'\]"):
        a.run(condition=RunSteps(num_steps=2))
    a.stop()


def test_graded_overflow_is_reported_on_the_compiled_engine():
    """The same check on the compiled RTL (one build per design, cached)."""
    from kilauea.sim.engines import compiled_available
    ok, why = compiled_available()
    if not ok:
        pytest.skip(why)
    src = _graded_overflow()
    with pytest.raises(ChipStatusError, match=rf"step {OVERFLOW_STEP}: .*BAD_OPCODE"):
        src.run(condition=RunSteps(num_steps=8),
                run_cfg=ChipCfg(engine="compiled", mesh=(1, 1), counters=False))
    assert src.runtime.chip.node.error.time_step == OVERFLOW_STEP
    src.stop()
