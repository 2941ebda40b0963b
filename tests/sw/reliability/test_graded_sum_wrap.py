"""Issue 13, fuzz seeds 37 and 97: a GradedVec fed a graded sum beyond
int32. lava-nc 0.10 wraps the graded sum of Dense, Sparse and DelaySparse
to int32 before the ``weight_exp`` shift (an int32 ``W @ s_in``), as the
chip's 32-bit accumulators do; its DelayDense (``np.sum``, int64) does not.
The CPU fixed-point models follow lava-nc, and the compiler warns where the
chip's wrap can differ from it (DelayDense)."""
import numpy as np
import pytest
from scipy import sparse as sp

from kilauea import (ChipCfg, CpuSimCfg, DelayDense, DelaySparse, Dense, GradedVec, Monitor,
                     RunSteps, Sparse, compile_network)
from kilauea.proc.io import source
from kilauea.runtime.builder import build_network

STEPS = 4
#: 2 * 255 * (2**23 - 1) = 4278190080 wraps to -16777726; >> 8 = -65538
#: (lava-nc 0.10 gives this; the unwrapped sum would give 16711680, a payload
#: beyond 24 bits)
WRAPPED = -65538


def _net(conn: str):
    src = source.RingBuffer(data=np.full((2, STEPS), (1 << 23) - 1, np.int32), name="src")
    w = np.array([[255, 255]])
    if conn == "dense":
        c = Dense(weights=w, weight_exp=-8, num_message_bits=24, name="c")
    elif conn == "sparse":
        c = Sparse(weights=sp.csr_matrix(w), weight_exp=-8, num_message_bits=24, name="c")
    else:
        c = DelaySparse(weights=sp.csr_matrix(w), delays=sp.csr_matrix(np.zeros((1, 2), int)),
                        weight_exp=-8, num_message_bits=24, name="c")
    g = GradedVec(shape=(1,), vth=0, name="g")
    src.s_out.connect(c.s_in)
    c.a_out.connect(g.a_in)
    mon = Monitor()
    mon.probe(g.s_out, STEPS)
    return src, mon


def _s_out(conn: str, cfg) -> list:
    src, mon = _net(conn)
    try:
        src.run(condition=RunSteps(num_steps=STEPS), run_cfg=cfg)
        return np.asarray(mon.get_data()["g"]["s_out"]).reshape(-1).tolist()
    finally:
        src.stop()


@pytest.mark.parametrize("conn", ["dense", "sparse", "delay_sparse"])
def test_cpu_graded_sum_wraps_to_int32_as_lava(conn):
    assert _s_out(conn, CpuSimCfg(select_tag="fixed_pt")) == [0] + [WRAPPED] * (STEPS - 1)


@pytest.mark.parametrize("engine", ["model", "pysim"])
def test_chip_equals_cpu_on_a_wrapped_graded_sum(engine):
    cpu = _s_out("dense", CpuSimCfg(select_tag="fixed_pt"))
    assert _s_out("dense", ChipCfg(engine=engine, mesh=(1, 1))) == cpu


def test_delay_dense_sum_beyond_the_accumulator_is_a_compile_warning():
    src = source.RingBuffer(data=np.zeros((2, 2), np.int32), name="src")
    c = DelayDense(weights=np.array([[255, 255]]), delays=np.array([[1, 1]]),
                   num_message_bits=24, name="dd")
    g = GradedVec(shape=(1,), vth=0, name="g")
    src.s_out.connect(c.s_in)
    c.a_out.connect(g.a_in)
    cfg = ChipCfg(engine="model", mesh=(1, 1))
    warnings = compile_network(build_network(src, cfg), cfg.params).report.warnings
    assert any("'g'" in w and "32-bit accumulator" in w for w in warnings), warnings


@pytest.mark.parametrize("cfg", [CpuSimCfg(select_tag="fixed_pt"), ChipCfg(engine="model", mesh=(1, 1))],
                         ids=["cpu", "chip"])
def test_spec_example_graded_sum_into_lif(cfg):
    """The spec's overflow example (checked in lava-nc 0.10): a graded source
    sending 2**23 - 1 through Dense([[255, 255]], weight_exp=-8,
    num_message_bits=24) into LIF(du=4095, dv=4095, vth=100000) gives
    u = -4194432 from step 2 on (unwrapped arithmetic would give 1052770176)."""
    from kilauea import LIF
    src = source.RingBuffer(data=np.full((2, STEPS), (1 << 23) - 1, np.int32))
    dense = Dense(weights=np.array([[255, 255]]), weight_exp=-8, num_message_bits=24)
    lif = LIF(shape=(1,), du=4095, dv=4095, vth=100000)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(lif.a_in)
    mon = Monitor()
    mon.probe(lif.u, STEPS)
    try:
        src.run(condition=RunSteps(num_steps=STEPS), run_cfg=cfg)
        u = np.asarray(mon.get_data()[lif.name]["u"]).reshape(-1).tolist()
    finally:
        src.stop()
    assert u == [0] + [-4194432] * (STEPS - 1)
