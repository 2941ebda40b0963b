"""GradedVec, GradedReluVec and SigmaDelta fixed point: the numerics
(kilauea.numerics) == the chip programs run by ProgramRunner == the golden
interpreter on a two-group program (inputs split over accumulator groups,
one shifted by weight_exp) == a loop-style transcription of the spec, on
seeded random parameters and inputs, bit for bit (state and payloads)."""
import numpy as np
import pytest

from kilauea import numerics as nx
from kilauea.hw.neurocore import compartment_memory as cm
from kilauea.hw.words import to_s32
from kilauea.neurons import library
from kilauea.neurons.cpu import ProgramRunner
from kilauea.neurons.builder import link
from kilauea.sim.golden.neuron import run_neuron_phase

N_STEPS = 60


# ------------------------------------------------ spec, transcribed per neuron
def spec_graded(v, a_in, vth, relu):
    """spec: v += a_in; spike where |v| > vth (relu: v > vth); s_out = v; v = 0."""
    v = v + a_in
    fire = (v > vth) if relu else (abs(v) > vth)
    return 0, (v if fire else 0)


def spec_sigma_delta(st, a_in, bias, vth, state_exp, relu, cum_error):
    sigma, act_prev, residue, error = st
    sigma = sigma + a_in
    act = max(0, sigma + bias) if relu else sigma + bias
    delta = act - act_prev + residue
    if cum_error:
        error = error + delta
        s = delta if abs(error) >= vth else 0
        if s != 0:
            error = 0
    else:
        s = delta if abs(delta) >= vth else 0
    residue = delta - s
    return (sigma, act, residue, error), s >> state_exp      # Python >> floors


class TwoGroupGolden:
    """The program built for 2 accumulator groups (weight_exp1 = wexp1),
    run with run_neuron_phase directly: a_in = g0 + shr(g1, -wexp1)."""

    def __init__(self, factory, n, values, wexp1, **kw):
        self.prog = factory(2, **kw)
        self.n = n
        self.ucode, (entry,) = link([self.prog], len(self.prog))
        self.profile, self.param, self.state = self.prog.images(
            n, dict(values, weight_exp0=0, weight_exp1=wexp1), profile=0, entry=entry)

    def step(self, t, g0, g1):
        r = run_neuron_phase(self.ucode, self.profile, self.param, self.state, t,
                             np.stack([g0, g1]).astype(np.int64), self.n, n_groups=2)
        self.state = r.state
        out = np.zeros(self.n, dtype=np.int64)
        out[r.spike_compartments] = r.spike_payloads
        return out, r.errors

    def get(self, name):
        i = self.prog.word(name).index
        return to_s32(self.state.reshape(self.n, cm.STATE_WORDS)[:, i])


def _split(rng, a, wexp1):
    """Split input a into (g0, g1) with g0 + shr(g1, -wexp1) == a."""
    k = -wexp1
    hi = rng.integers(-abs(a) // (1 << k) - 3, abs(a) // (1 << k) + 3)
    g1 = (hi << k) + rng.integers(0, 1 << k, a.shape)      # floor(g1 >> k) == hi
    return a - hi, g1


@pytest.mark.parametrize("relu", [False, True], ids=["GradedVec", "GradedReluVec"])
@pytest.mark.parametrize("seed", range(4))
def test_graded_numerics_equal_program_and_spec(seed, relu):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 40))
    vth = int(rng.choice([0, rng.integers(0, 300), rng.integers(0, 300), rng.integers(0, (1 << 23) - 1)]))
    factory = library.graded_relu_vec if relu else library.graded_vec
    runner = ProgramRunner(factory(), n, dict(vth=vth))
    wexp1 = -int(rng.integers(1, 5))
    gold = TwoGroupGolden(factory, n, dict(vth=vth), wexp1)
    v = np.zeros(n, dtype=np.int64)
    spikes = 0
    for t in range(1, N_STEPS + 1):
        a = rng.integers(-600, 600, n)
        a[rng.random(n) < 0.1] = vth * rng.choice([-1, 1])      # threshold equality
        a[rng.random(n) < 0.1] = vth + 1
        v_new, s = nx.graded_fixed_step(v, a, vth, relu)
        s_run = runner.step(t, a)
        g0, g1 = _split(rng, a, wexp1)
        s_gold, errs = gold.step(t, g0, g1)
        spec = [spec_graded(int(v[i]), int(a[i]), vth, relu) for i in range(n)]
        msg = f"seed {seed} step {t}"
        assert np.array_equal(s, s_run), msg
        assert np.array_equal(s, s_gold), msg
        assert s.tolist() == [p for _, p in spec], msg
        assert np.array_equal(v_new, runner.get("v")) and np.array_equal(v_new, gold.get("v")), msg
        assert errs == 0, msg
        v = v_new
        spikes += int(np.count_nonzero(s))
    assert spikes > 0, f"seed {seed}: no spikes"


SDN_VARIANTS = [(relu, cum) for relu in (False, True) for cum in (False, True)]


@pytest.mark.parametrize("relu,cum", SDN_VARIANTS,
                         ids=[f"{'relu' if r else 'unit'}{'_cum' if c else ''}" for r, c in SDN_VARIANTS])
@pytest.mark.parametrize("seed", range(3))
def test_sigma_delta_numerics_equal_program_and_spec(seed, relu, cum):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(5, 40))
    state_exp = int(rng.integers(0, 5))
    vth = int(rng.integers(0, 50)) << state_exp
    bias = rng.integers(-300, 300, n)
    vals = dict(vth=vth, state_exp=state_exp, bias=bias)
    runner = ProgramRunner(library.sigma_delta(act_mode="relu" if relu else "unit",
                                               cum_error=cum), n, vals)
    wexp1 = -int(rng.integers(1, 5))
    gold = TwoGroupGolden(library.sigma_delta, n, vals, wexp1,
                          act_mode="relu" if relu else "unit", cum_error=cum)
    st = [np.zeros(n, dtype=np.int64) for _ in range(4)]
    spec_st = [(0, 0, 0, 0)] * n
    spikes = 0
    for t in range(1, N_STEPS + 1):
        a = rng.integers(-400, 400, n) * (rng.random(n) < 0.7)
        *st, s = nx.sigma_delta_fixed_step(*st, a, bias, vth, state_exp, relu, cum)
        s_run = runner.step(t, a)
        g0, g1 = _split(rng, a, wexp1)
        s_gold, errs = gold.step(t, g0, g1)
        spec = [spec_sigma_delta(spec_st[i], int(a[i]), int(bias[i]), vth, state_exp, relu, cum)
                for i in range(n)]
        spec_st = [x for x, _ in spec]
        msg = f"seed {seed} step {t}"
        assert np.array_equal(s, s_run), msg
        assert np.array_equal(s, s_gold), msg
        assert s.tolist() == [p for _, p in spec], msg
        for k, name in enumerate(("sigma", "act", "residue", "error")):
            assert np.array_equal(st[k], runner.get(name)), f"{msg}: {name}"
            assert np.array_equal(st[k], gold.get(name)), f"{msg}: {name}"
            assert st[k].tolist() == [x[k] for x in spec_st], f"{msg}: {name}"
        assert errs == 0
        spikes += int(np.count_nonzero(s))
    assert spikes > 0, f"seed {seed}: no spikes"


def test_edges_threshold_equality_and_floor_shift():
    # GradedVec: |v| == vth does not spike, |v| == vth + 1 does, with its sign
    _, s = nx.graded_fixed_step(np.zeros(4), np.array([5, -5, 6, -6]), 5, relu=False)
    assert s.tolist() == [0, 0, 6, -6]
    _, s = nx.graded_fixed_step(np.zeros(4), np.array([5, -5, 6, -600]), 5, relu=True)
    assert s.tolist() == [0, 0, 6, 0]
    # SigmaDelta: |delta| == vth spikes; s_out floors (-5 >> 1 == -3)
    z = np.zeros(3, dtype=np.int64)
    *_, s = nx.sigma_delta_fixed_step(z, z, z, z, np.array([4, -5, 3]), z, 4, 1, False, False)
    assert s.tolist() == [2, -3, 0]
    # RELU clips the activation; residue carries what was not sent
    sig, act, res, err, s = nx.sigma_delta_fixed_step(z, z, z, z, np.array([-9, 9, 3]), z, 4, 0,
                                                      True, False)
    assert act.tolist() == [0, 9, 0 + 3] and s.tolist() == [0, 9, 0] and res.tolist() == [0, 0, 3]


def test_int32_wrap_and_payload_overflow_match_the_chip():
    """Sums wrap to 32 bits as in Lava's int32 (and the chip's registers); a
    payload outside 24 bits is counted as an error by the chip, and the CPU
    numerics flag it with check_payloads."""
    n = 4
    start = np.array([2**31 - 10, -2**31 + 3, 2**22, -5], dtype=np.int64)
    a = np.array([20, -7, 2**22, 3], dtype=np.int64)
    runner = ProgramRunner(library.sigma_delta(act_mode="unit"), n,
                           dict(vth=0, state_exp=0, bias=0, sigma=start, act=start))
    z = np.zeros(n, dtype=np.int64)
    sig, act, res, err, s = nx.sigma_delta_fixed_step(start, start, z, z, a, z, 0, 0, False, False)
    s_run = runner.step(1, a)
    assert np.array_equal(sig, runner.get("sigma")) and np.array_equal(act, runner.get("act"))
    assert sig[0] == -2**31 + 10 and sig[1] == 2**31 - 4
    assert np.array_equal(s, s_run)                       # all in 24 bits here
    # payload 2**23 (out of 24 bits): the golden interpreter counts an error
    gold = TwoGroupGolden(library.graded_vec, 2, dict(vth=0), -1)
    big = np.array([2**23, 2**23 - 1])
    _, errs = gold.step(1, big, np.zeros(2, dtype=np.int64))
    assert errs == 1
    _, s = nx.graded_fixed_step(np.zeros(2), big, 0, relu=False)
    with pytest.raises(ValueError, match="element 0 at step 7"):
        nx.check_payloads("G", s, 7)
    nx.check_payloads("G", s[1:], 7)


@pytest.mark.parametrize("relu,cum", SDN_VARIANTS,
                         ids=[f"{'relu' if r else 'unit'}{'_cum' if c else ''}" for r, c in SDN_VARIANTS])
def test_full_int32_range_states_agree(relu, cum):
    """States anywhere in int32 (sums wrapping, |x| of -2**31): numerics ==
    golden interpreter for every state word; payloads equal where they fit
    24 bits, and the interpreter counts one error per payload that does not."""
    seed = 300 + 2 * relu + cum
    rng = np.random.default_rng(seed)
    n = 64
    st = [rng.integers(-2**31, 2**31, n) for _ in range(4)]
    st[0][:4] = [-2**31, 2**31 - 1, -2**31, 0]
    bias = rng.integers(-2**23, 2**23, n)
    vth, state_exp = int(rng.integers(0, 1 << 24)), int(rng.integers(0, 32))
    vals = dict(vth=vth, state_exp=state_exp, bias=bias, sigma=st[0], act=st[1],
                residue=st[2], error=st[3])
    gold = TwoGroupGolden(library.sigma_delta, n, vals, -1,
                          act_mode="relu" if relu else "unit", cum_error=cum)
    for t in range(1, 11):
        a = rng.integers(-2**30, 2**30, n)
        a[:2] = 0
        *st, s = nx.sigma_delta_fixed_step(*st, a, bias, vth, state_exp, relu, cum)
        s_gold, errs = gold.step(t, a, np.zeros(n, dtype=np.int64))
        for k, name in enumerate(("sigma", "act", "residue", "error")):
            assert np.array_equal(st[k], gold.get(name)), f"seed {seed} step {t}: {name}"
        fits = (s >= nx.PAYLOAD_MIN) & (s <= nx.PAYLOAD_MAX)
        assert np.array_equal(s[fits], s_gold[fits]), f"seed {seed} step {t}"
        assert errs == int(np.count_nonzero(~fits)), f"seed {seed} step {t}"
