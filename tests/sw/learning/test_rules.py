"""Rule objects, ready-made rules and the rounding helpers (docs/learning.md)."""
import numpy as np
import pytest

from kilauea.learning import (GradedSpikeCfg, Loihi2FLearningRule, Loihi3FLearningRule,
                              LoihiLearningRule, ProductSeries, RewardModulatedSTDP, STDPLoihi,
                              float_to_literal, stochastic_round)


def test_rule_parses_all_three_targets_and_collects_traces():
    rule = LoihiLearningRule(dw="x0*(-1)*2^-1*y1 + y0*1*2^1*x1", dd="u0*x2*y2",
                             dt="x0*y3*sgn(d) + y0*x2", x1_impulse=16, x1_tau=10,
                             t_epoch=4, rng_seed=9)
    assert all(isinstance(s, ProductSeries) for s in (rule.dw, rule.dd, rule.dt))
    assert set(rule.active_product_series) == {"dw", "dd", "dt"}
    assert rule.active_traces == {"x1", "x2", "y1", "y2", "y3"}
    assert rule.active_traces_per_dependency == {
        "x0": {"y1", "y3"}, "y0": {"x1", "x2"}, "u": {"x2", "y2"}}
    assert (rule.decimate_exponent, rule.t_epoch, rule.rng_seed) == (0, 4, 9)


def test_three_factor_rule_switches_the_y_traces_off():
    rule = Loihi3FLearningRule(dw="u0*t*y2", dt="x0*y1", x1_impulse=3, x1_tau=5)
    assert [rule.y1_impulse, rule.y2_impulse, rule.y3_impulse] == [0, 0, 0]
    assert [rule.y1_tau, rule.y2_tau, rule.y3_tau] == [65535] * 3
    assert isinstance(rule, LoihiLearningRule)


def test_stdp_rule_string_and_traces():
    rule = STDPLoihi(learning_rate=0.5, A_plus=-2, A_minus=2, tau_plus=10, tau_minus=12,
                     t_epoch=2, rng_seed=4)
    assert isinstance(rule, Loihi2FLearningRule)
    assert (rule.learning_rate, rule.A_plus, rule.A_minus) == ("(1) * 2 ^ -1", "(-2)", "(2)")
    assert [(p.dependency, p.s_mantissa, p.s_exp) for p in rule.dw.products] == \
        [("x0", 2, 6), ("y0", -2, 6)]
    assert (rule.x1_impulse, rule.x1_tau, rule.y1_impulse, rule.y1_tau) == (16, 10, 16, 12)
    assert STDPLoihi(1, 1, 1, 1, 1, x1_impulse=3, y1_impulse=5).y1_impulse == 5


def test_reward_modulated_stdp_rule_strings():
    rule = RewardModulatedSTDP(learning_rate=1, A_plus=2, A_minus=-2, pre_trace_decay_tau=10,
                               post_trace_decay_tau=11, pre_trace_kernel_magnitude=16,
                               post_trace_kernel_magnitude=15, eligibility_trace_decay_tau=0.5,
                               t_epoch=1, rng_seed=3)
    assert isinstance(rule, Loihi3FLearningRule)
    assert [(p.dependency, p.s_mantissa, p.s_exp) for p in rule.dt.products] == \
        [("x0", -2, 7), ("y0", 2, 7), ("u", -1, 6)]
    assert [f.state_var for f in rule.dw.products[0].factors] == ["t", "y2"]
    assert (rule.x1_impulse, rule.x1_tau, rule.decimate_exponent) == (16, 10, 0)
    assert rule.eligibility_trace_decay_tau == "(1) * 2 ^ -1"


@pytest.mark.parametrize("value, text", [
    (0, "0"), (1, "(1)"), (-3, "(-3)"), (0.5, "(1) * 2 ^ -1"), (-0.25, "(-1) * 2 ^ -2"),
    (3.7, "(3) * 2 ^ 0"), (0.3, "(1) * 2 ^ -2"), (6.5, "(6) * 2 ^ 0"), (0.125, "(1) * 2 ^ -3")])
def test_float_to_literal(value, text):
    assert float_to_literal(value) == text


def test_float_to_literal_reads_back_powers_of_two_and_integers():
    values = [2.0 ** e for e in range(-7, 8)] + [3, 5, 7, 100]
    for v in values + [-v for v in values]:
        mant, _, exp = float_to_literal(v).partition(" * 2 ^ ")
        assert int(mant.strip("()")) * 2.0 ** int(exp or 0) == v


def test_stochastic_round_adds_one_where_random_is_below_probability():
    values = np.array([2, 5, 10, 11, 15])
    got = stochastic_round(values, 0.5364, np.array([0.7459, 0.1456, 0.9149, 0.3795, 0.2976]))
    assert got.tolist() == [3, 5, 11, 11, 15] and got.dtype == int
    got = stochastic_round(values, 64, np.array([65, 64, 0, 200, 63]))
    assert got.tolist() == [3, 5, 10, 12, 15]


def test_graded_spike_cfg_values_are_the_hardware_encoding():
    assert [int(c) for c in GradedSpikeCfg] == [0, 1, 2, 3]
    assert GradedSpikeCfg(1) is GradedSpikeCfg.OVERWRITE
