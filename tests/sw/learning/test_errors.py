"""Bad learning rules fail at construction with a LearningRuleError (a ValueError)
naming the rule (dw/dd/dt), the term at fault and the grammar rule it breaks
(docs/learning.md, "Errors")."""
import numpy as np
import pytest

from kilauea.learning import (Factor, LearningRuleError, Loihi2FLearningRule,
                              Loihi3FLearningRule, LoihiLearningRule, Product, ProductSeries,
                              SymbolicEquation)
from kilauea.learning.symbolic_equation import BracketExpression, SgnExpression

# (target, rule, the term named, a phrase of the grammar rule broken)
BAD_RULES = [
    ("dw", "x0*x3", "x3", "unknown symbol"),
    ("dd", "x0 * y4 * 2", "y4", "unknown symbol"),
    ("dt", "y0*z", "z", "unknown symbol"),
    ("dw", "x0*y1^2", "^2", "unknown symbol"),
    ("dw", "x0*()", "()", "may not be empty"),
    ("dw", "", "", "may not be empty"),
    ("dw", "x0*(w+2", "(w+2", "never closed"),
    ("dd", "x1*y1", "x1*y1", "dependency"),
    ("dw", "x0*-1*y1", "-1*y1", "dependency"),
    ("dw", "x0*3*5", "x0*3*5", "mantissa 15"),
    ("dt", "y0*2^9*x1", "y0*2^9*x1", "exponent 9"),
    ("dw", "x0*2^-8", "x0*2^-8", "exponent -8"),
    ("dw", "x0*(w*2)", "(w*2)", "a bracket holds"),
    ("dw", "x0*(w+2+3)", "(w+2+3)", "a bracket holds"),
    ("dw", "x0*(-w)", "(-w)", "a bracket holds"),
    ("dw", "x0*(x0)", "(x0)", "a bracket holds"),
    ("dw", "x0*((w+1))", "((w+1))", "a bracket holds"),
    ("dw", "x0*sgn(x1)", "sgn(x1)", "sgn(..) applies only"),
    ("dw", "x0*sgn(2)", "sgn(2)", "sgn(..) applies only"),
    ("dw", "x0*sgn(-w+1)", "sgn(-w+1)", "cannot be negated"),
    ("dw", "u1*x1 + u2*y1", "u2", "one decimate exponent"),
    ("dw", "x0*u1*y1", "x0*u1*y1", "uK must be its first dependency"),
]


@pytest.mark.parametrize("target, rule, term, grammar", BAD_RULES,
                         ids=[r[1] or "empty" for r in BAD_RULES])
def test_bad_rule_string_names_rule_term_and_grammar(target, rule, term, grammar):
    with pytest.raises(LearningRuleError) as info:
        LoihiLearningRule(**{target: rule}, rng_seed=1)
    error = info.value
    assert isinstance(error, ValueError)
    assert (error.target, error.term) == (target, term), str(error)
    assert grammar in error.grammar, str(error)
    assert f"learning rule {target} = {rule!r}" in str(error)
    assert repr(term) in str(error)


@pytest.mark.parametrize("kwargs, term", [
    (dict(x1_impulse=-16), "x1_impulse=-16"),
    (dict(y3_impulse=float("nan")), "y3_impulse=nan"),
    (dict(y2_impulse=float("inf")), "y2_impulse=inf"),
    (dict(x2_tau=-1), "x2_tau=-1"),
    (dict(t_epoch=0), "t_epoch=0"),
    (dict(t_epoch=-1), "t_epoch=-1"),
    (dict(t_epoch=2.5), "t_epoch=2.5"),
    (dict(rng_seed=-3), "rng_seed=-3"),
])
def test_bad_parameters_name_the_parameter(kwargs, term):
    with pytest.raises(LearningRuleError) as info:
        LoihiLearningRule(dw="x0*y1", **kwargs)
    assert info.value.term == term, str(info.value)


def test_no_rule_at_all():
    with pytest.raises(LearningRuleError, match="at least one of dw, dd, dt"):
        Loihi2FLearningRule(x1_tau=3)


def test_different_k_across_rules_names_both():
    with pytest.raises(LearningRuleError) as info:
        Loihi3FLearningRule(dw="u1*x1", dt="u0*t", rng_seed=0)
    assert "u0 in dt" in info.value.term and "u1 in dw" in info.value.term


def test_setting_a_bad_rule_string_keeps_the_old_one():
    rule = LoihiLearningRule(dw="x0*y1", rng_seed=0)
    with pytest.raises(LearningRuleError):
        rule.dw_str = "x0*y9"
    assert rule.dw_str == "x0*y1" and rule.dw.products[0].factors[0].state_var == "y1"
    rule.dw_str = "y0*x2"
    assert rule.active_traces == {"x2"}


def test_setting_a_bad_parameter_is_refused():
    rule = LoihiLearningRule(dw="x0*y1", rng_seed=0)
    with pytest.raises(LearningRuleError):
        rule.x1_tau = -2
    with pytest.raises(LearningRuleError):
        rule.t_epoch = 0
    assert rule.x1_tau == 0 and rule.t_epoch == 1


def test_symbol_and_product_constructors_reject_bad_input():
    with pytest.raises(ValueError):
        BracketExpression.find("(w+3")
    with pytest.raises(ValueError):
        SgnExpression.find("sgn(w+3")
    with pytest.raises(ValueError):
        Factor("n")
    with pytest.raises(ValueError):
        Factor("x1", is_sgn=True)
    for args in [("dq", "x0", 1, 0, []), ("dw", "n", 1, 0, []), ("dw", "u", 1, 0, []),
                 ("dw", "x0", 1, 0, [], 2)]:
        with pytest.raises(ValueError):
            Product(*args)


def test_rule_parsing_is_independent_of_spaces():
    a = ProductSeries(SymbolicEquation("dw", "x0 * (-1) * 2^-1 * y1 + y0*\t2^1 *x1\n"))
    b = ProductSeries(SymbolicEquation("dw", "x0*(-1)*2^-1*y1+y0*2^1*x1"))
    assert [(p.dependency, p.s_mantissa, p.s_exp) for p in a.products] == \
        [(p.dependency, p.s_mantissa, p.s_exp) for p in b.products] == [("x0", -1, 6),
                                                                         ("y0", 1, 8)]


def test_unseeded_rule_draws_its_seed_from_numpy():
    np.random.seed(5)
    first = LoihiLearningRule(dw="x0*y1").rng_seed
    np.random.seed(5)
    assert LoihiLearningRule(dw="x0*y1").rng_seed == first
