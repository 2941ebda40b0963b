"""The new neuron programs (ternary_lif, sigma, delta) == their numerics,
step by step under ProgramRunner (the golden interpreter on the chip's word
images), with inputs that reach the wraps and saturations."""
import numpy as np
import pytest

from kilauea.neurons import library
from kilauea.neurons.cpu import ProgramRunner
from kilauea.numerics import effective_bias
from kilauea.numerics import sigma as nsig
from kilauea.numerics import ternary as ntern


@pytest.mark.parametrize("seed", range(3))
def test_ternary_lif_program_equals_numerics(seed):
    rng = np.random.default_rng(seed)
    n = 32
    vals = dict(du=int(rng.integers(0, 4096)), dv=int(rng.integers(0, 4096)),
                vth_hi=int(rng.integers(0, 3000)), vth_lo=-int(rng.integers(0, 3000)),
                bias_mant=rng.integers(-4096, 4096, n), bias_exp=rng.integers(-8, 8, n),
                u=rng.integers(-(1 << 23), 1 << 23, n), v=rng.integers(-(1 << 23) + 1, 1 << 23, n))
    run = ProgramRunner(library.ternary_lif(), n, vals)
    u, v = vals["u"].astype(np.int64), vals["v"].astype(np.int64)
    bias = effective_bias(vals["bias_mant"], vals["bias_exp"])
    seen = set()
    for t in range(1, 40):
        a_in = rng.integers(-(1 << 17), 1 << 17, n)          # << 6 reaches the 24-bit wrap
        u, v, s = ntern.ternary_lif_fixed_step(u, v, a_in, vals["du"], vals["dv"], bias,
                                               vals["vth_hi"], vals["vth_lo"])
        out = run.step(t, a_in)
        np.testing.assert_array_equal(out, s, err_msg=f"step {t}")
        np.testing.assert_array_equal(run.get("u"), u)
        np.testing.assert_array_equal(run.get("v"), v)
        seen |= set(np.unique(s).tolist())
    assert seen == {-1, 0, 1}


@pytest.mark.parametrize("cum", [False, True])
def test_delta_and_sigma_programs_equal_numerics(cum):
    rng = np.random.default_rng(7 + cum)
    n = 24
    spike_exp, state_exp = 2, 3
    vth = int(rng.integers(0, 200)) << (spike_exp + state_exp)
    run = ProgramRunner(library.delta(cum_error=cum), n,
                        dict(vth=vth, state_exp=state_exp, in_shift=spike_exp + state_exp))
    srun = ProgramRunner(library.sigma(), n, {})
    act = res = err = sig = np.zeros(n, dtype=np.int64)
    for t in range(1, 40):
        a_in = rng.integers(-(1 << 12), 1 << 12, n)
        act, res, err, s = nsig.delta_fixed_step(act, res, err, a_in, vth, spike_exp, state_exp,
                                                 cum)
        np.testing.assert_array_equal(run.step(t, a_in), s, err_msg=f"step {t}")
        for name, want in (("act", act), ("residue", res), ("error", err)):
            np.testing.assert_array_equal(run.get(name), want, err_msg=f"{name} step {t}")
        sig, s_sig = nsig.sigma_fixed_step(sig, a_in)
        np.testing.assert_array_equal(srun.step(t, a_in), s_sig)
    # the 32-bit wrap of act = a_in << 5 and of sigma
    big = np.full(n, (1 << 27) + 5)
    act, res, err, s = nsig.delta_fixed_step(act, res, err, big, vth, spike_exp, state_exp, cum)
    run.step(40, big)
    np.testing.assert_array_equal(run.get("act"), act)
    assert act[0] == np.int64(np.int32(((1 << 27) + 5) << 5 & 0xFFFFFFFF))
