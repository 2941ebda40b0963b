"""The processes that have no chip model under ChipCfg: fed by a chip
connection they are a CompileError that names them and says they run on
the CPU only; fed from the host they run on the host as with CpuSimCfg.
ATRLIF, RF, RF_IZ and RFZero have chip models now: they compile, and the
cases their programs cannot reproduce run on the host
(tests/sw/newproc/test_atrlif_chip.py, test_rf_chip.py,
test_resfire_chip.py)."""
import warnings

import numpy as np
import pytest

from kilauea import Dense, RunSteps
from kilauea.compiler.errors import CompileError
from kilauea.proc.atrlif.process import ATRLIF
from kilauea.proc.conv_in_time.process import ConvInTime
from kilauea.proc.graded.vector_process import InvSqrt, NormVecDelay
from kilauea.proc.io import source
from kilauea.proc.prodneuron.process import ProdNeuron
from kilauea.proc.rf.process import RF
from kilauea.proc.s4d.process import S4d, SigmaS4dDelta

import newproc_kit as kit

_CASES = [
    (lambda: S4d(shape=(2,), a=0.5, b=1, c=1, name="p"), "a_in", "S4d"),
    (lambda: SigmaS4dDelta(shape=(2,), vth=0, a=0.5, b=1, c=1, name="p"), "a_in",
     "SigmaS4dDelta"),
    (lambda: NormVecDelay(shape=(2,), name="p"), "a_in1", "NormVecDelay"),
    (lambda: InvSqrt(shape=(2,), name="p"), "a_in", "InvSqrt"),
    (lambda: ProdNeuron(shape=(2,), name="p"), "a_in2", "ProdNeuron"),
    (lambda: ConvInTime(weights=np.ones((2, 2, 2)), name="p"), "s_in", "ConvInTime"),
]


@pytest.mark.parametrize("make, port, cls_name", _CASES, ids=[c[2] for c in _CASES])
def test_a_chip_connection_into_it_is_a_compile_error(make, port, cls_name):
    src = source.RingBuffer(data=np.ones((2, 3), dtype=int))
    dense = Dense(weights=np.eye(2, dtype=int))
    proc = make()
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(getattr(proc, port))
    with pytest.raises(CompileError, match=rf"process 'p' \({cls_name}\) has no chip model, "
                                           r"it runs on the CPU only"):
        proc.run(condition=RunSteps(num_steps=2), run_cfg=kit.chip_cfg())


def test_fed_from_the_host_it_runs_on_the_host():
    """RF has a chip model; fed straight from the host it runs on the host
    (tests/sw/newproc/test_rf_chip.py holds the chip equal to the CPU)."""
    got = []
    for cfg in (kit.chip_cfg(), kit.cpu_fixed()):
        neu = RF(shape=(3,), period=5, alpha=0.1, decay_bits=8, vth=2, name="A")
        src = source.RingBuffer(data=np.arange(12).reshape(3, 4) * 40)
        src.s_out.connect(neu.a_real_in)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")     # the chip's host fallback warns
            got.append(kit.record(neu, [(neu, "real"), (neu, "imag"), (neu, "s_out")], 4, cfg))
    assert np.any(got[1][("A", "real")] != 0)
    kit.assert_same(got[0], got[1], "RF on the host under ChipCfg vs CpuSimCfg")


def _atrlif_through_dense(**kw):
    src = source.RingBuffer(data=np.ones((2, 3), dtype=int))
    dense = Dense(weights=np.eye(2, dtype=int))
    proc = ATRLIF(shape=(2,), name="p", **kw)
    src.s_out.connect(dense.s_in)
    dense.a_out.connect(proc.a_in)
    return proc


def test_atrlif_has_a_chip_model_now():
    """ATRLIF fed by a chip connection compiles (tests/sw/newproc/test_atrlif_chip.py
    holds it equal to the CPU fixed-point model)."""
    proc = _atrlif_through_dense()
    proc.run(condition=RunSteps(num_steps=2), run_cfg=kit.chip_cfg())
    assert proc.v.get().shape == (2,)
    proc.stop()


def test_atrlif_the_chip_cannot_hold_runs_on_the_host():
    """An integer delta_i: ATRLIF and the Dense feeding it run on the host
    (a warning says why)."""
    proc = _atrlif_through_dense(delta_i=1)
    with pytest.warns(UserWarning, match=r"process 'p' \(ATRLIF\) runs on the host CPU "
                                         r"beside the chip.*parameter delta_i: delta_i=1 is an "
                                         r"integer"):
        proc.run(condition=RunSteps(num_steps=2), run_cfg=kit.chip_cfg())
    assert proc.v.get().shape == (2,)
    proc.stop()
