"""The atrlif program's current product against lava-nc's float64 one
(``trunc(fl(i * f) / 4096)``, ``f = 4096 - (4096 delta_i + 1)``), run on the
golden interpreter for random factors and random currents, and for the
currents where float64's rounding carries into the integer part: multiples
(and neighbours) of the denominators of the continued-fraction convergents
of ``|f| / 4096``, whose products lie within 2**-22 of an integer."""
import math
from fractions import Fraction

import numpy as np
import pytest

from kilauea.neurons.atrlif import atrlif, current_factor
from kilauea.neurons.cpu import ProgramRunner
from kilauea.numerics.atrlif import AtrlifFixedParams, AtrlifState, ProductArith, atrlif_fixed_step


def _lava(i: np.ndarray, delta_i: float) -> np.ndarray:
    """i after one fixed-point step with no input (the CPU model)."""
    z = np.zeros_like(i)
    p = AtrlifFixedParams(delta_i, 0.0, 0.0, 0.0, np.int64(0), np.int64(0), z, ProductArith.EXACT)
    return atrlif_fixed_step(AtrlifState(i, z, z, z, z.astype(bool)), z, p).i


def _chip(i: np.ndarray, delta_i: float) -> np.ndarray:
    f = 4096 - (delta_i * 4096 + 1)
    vals = dict(i=i, fv=0, ftheta=0, fr=0, theta_0=2**30, **current_factor(f).words())
    run = ProgramRunner(atrlif(), i.size, vals)
    run.step(1, np.zeros(i.size, dtype=np.int64))
    return run.get("i")


def _near_integers(g: float, per: int = 60) -> np.ndarray:
    """Currents i < 2**31 with i * g close to an integer."""
    out, k0, k1, x = [], 1, 0, Fraction(g)
    while x:
        a = math.floor(x)
        k0, k1 = k1, a * k1 + k0
        if k1 >= 2**31:
            break
        ks = np.arange(1, min(2**31 // k1, per) + 1, dtype=np.int64) * k1
        out += [ks + d for d in (-1, 0, 1)]
        if x == a:
            break
        x = 1 / (x - a)
    return np.concatenate(out) if out else np.zeros(0, np.int64)


def _carries(i: np.ndarray, delta_i: float) -> int:
    f = Fraction(4096 - (delta_i * 4096 + 1))
    return sum(int(abs(x) * abs(f) / 4096) != int(abs(np.float64(x) * float(f))) // 4096
               for x in i.tolist())


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_product_equals_lava_ncs_float64_product(seed):
    print(f"seed {seed}")
    rng = np.random.default_rng(seed)
    deltas = [0.4, 0.1, 0.9, 0.9999, 1.0 - 2**-13, 4095 / 4096, -2**-14, 1.99]
    deltas += list(rng.uniform(0, 1, 6)) + list(rng.uniform(-2**-12, 8191 / 4096, 4))
    carried = 0
    for d in deltas:
        g = abs(4096 - (d * 4096 + 1)) / 4096
        near = _near_integers(g) if g else np.zeros(0, np.int64)
        sign = rng.choice([-1, 1], near.size)
        i = np.concatenate([rng.integers(-2**31, 2**31, 2000), near * sign,
                            [0, 1, -1, 2**31 - 1, -2**31, -2**31 + 1, 2**23, -2**23]])
        i = i[(i >= -2**31) & (i < 2**31)].astype(np.int64)
        got, want = _chip(i, d), _lava(i, d)
        bad = np.flatnonzero(got != want)
        assert not bad.size, (f"seed {seed}, delta_i {d!r}: i={i[bad[0]]} gives {got[bad[0]]}, "
                              f"lava-nc {want[bad[0]]}")
        carried += _carries(near[-300:], d) if d in (0.4, 0.1, 0.9) else 0
    assert carried > 20, "the currents must include products that float64 rounds up"


def test_factors_the_program_cannot_hold_are_refused():
    for f in (4096.0, -4096.0, 1e6, math.inf, math.nan):
        with pytest.raises(ValueError, match=r"outside \(-4096, 4096\)"):
            current_factor(f)
