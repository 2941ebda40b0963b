"""BitCheck: the overflow flag against a transcription of
docs/processes.md ("BitCheck") on random sums, the case of lava-nc 0.10's
own sine test, the argument checks and the debug output."""
import numpy as np
import pytest

from kilauea import RunSteps
from kilauea.proc.bit_check.process import BitCheck
from kilauea.proc.io import source
from kilauea.proc.sdn.process import Sigma

import newproc_kit as kit


def _run(data, bits, debug=0):
    src = source.RingBuffer(data=data)
    sigma = Sigma(shape=(data.shape[0],))
    src.s_out.connect(sigma.a_in)
    check = BitCheck(layerid=3, bits=bits, debug=debug)
    check.connect_var(sigma.sigma)
    sigma.run(condition=RunSteps(num_steps=data.shape[1]), run_cfg=kit.cpu_fixed())
    try:
        assert np.all(check.bits.get() == bits)
        return int(np.asarray(check.overflowed).reshape(-1)[0]), check
    finally:
        sigma.stop()


@pytest.mark.parametrize("seed", range(6))
def test_overflow_flag_equals_the_transcription(seed):
    rng = np.random.default_rng(seed)
    bits = int(rng.integers(1, 32))
    # (kilauea's fixed-point Sigma sends only 24-bit sums)
    scale = 2 ** int(rng.integers(0, 24))
    data = rng.integers(-scale, scale, size=(3, 8)) // 16
    sums = (np.cumsum(data, axis=1) + 2 ** 31) % 2 ** 32 - 2 ** 31   # Sigma: int32 sums
    lo, hi = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1
    want = int(np.any((sums < lo) | (sums > hi)))
    got, _ = _run(data, bits)
    assert got == want, f"seed {seed}: bits {bits}, overflowed {got}, expected {want}"


def test_lava_nc_sine_case():
    # lava-nc 0.10's own test: a sine of amplitude 2**12 decoded by Sigma
    # overflows 12 bits and fits 24 (lava-nc gives overflowed 1 and 0).
    x = (np.sin(0.1 * np.arange(100)).reshape(1, -1) * (1 << 12)).astype(int)
    x[:, 1:] -= x[:, :-1]
    assert _run(x, 12)[0] == 1
    assert _run(x, 24)[0] == 0


def test_arguments_vars_and_debug(capsys):
    with pytest.raises(ValueError, match="'bits'"):
        BitCheck(bits=0)
    with pytest.raises(ValueError, match="'bits'"):
        BitCheck(bits=32)
    bc = BitCheck(shape=(4,), bits=5)
    assert bc.shape == (1,) and bc.layerid.init is None and bc.debug.init == 0
    _, check = _run(np.array([[40, 0]]), 6, debug=1)
    out = capsys.readouterr().out
    assert "at time step: 1" in out and "overflows 6 bits 40" in out and "layer id number: 3" in out
    assert check.shape == (1,)
    from kilauea.lava.proc.bit_check.models import LoihiBitCheckModel  # noqa
    from kilauea.lava.proc.bit_check.process import BitCheck as L
    assert L is BitCheck
