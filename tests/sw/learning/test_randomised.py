"""Randomised: random rules (products of traces, synaptic variables, dependencies,
constants and power-of-two literals, in random spellings) on random connection
states; kilauea.learning's parser, product series and appliers against the
loop-style transcription of docs/learning.md (learning_spec_ref.py). Every failure names
its seed; rerun one with KILAUEA_SEED=<seed>."""
import os
import pathlib
import sys

import numpy as np
import pytest

from kilauea.learning import (LearningRuleApplierBitApprox, LearningRuleApplierFloat,
                              LearningRuleError, ProductSeries, SymbolicEquation)

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import learning_rulegen as rulegen  # noqa: E402
import learning_spec_ref as spec_ref  # noqa: E402

SEEDS = ([int(os.environ["KILAUEA_SEED"])] if "KILAUEA_SEED" in os.environ
         else list(range(24)))
RULES_PER_SEED = 12


def _rules(seed):
    """(rule, ProductSeries or the error) for the seed's random rules."""
    rng = np.random.default_rng(seed)
    for _ in range(RULES_PER_SEED):
        rule = rulegen.draw_rule(rng, spec_ref)
        target = str(rng.choice(["dw", "dd", "dt"]))
        try:
            series = ProductSeries(SymbolicEquation(target, rule.text))
        except LearningRuleError as error:
            yield rng, rule, target, error
            continue
        yield rng, rule, target, series


@pytest.mark.parametrize("seed", SEEDS)
def test_parsed_products_follow_the_docs(seed):
    """Dependency, normalised scaling, decimate exponent and factors, or an error
    exactly when the docs' normalisation puts the scaling out of range."""
    for _, rule, target, series in _rules(seed):
        where = f"seed {seed}, {target} = {rule.text!r}"
        expected = []
        for p in rule.products:
            try:
                expected.append(spec_ref.normalise(p))
            except ValueError:
                expected = None
                break
        if expected is None:
            assert isinstance(series, LearningRuleError), where
            assert series.target == target and "scaling" in series.grammar, where
            continue
        assert not isinstance(series, LearningRuleError), f"{where}: {series}"
        assert series.target == target and series.decimate_exponent == rule.k, where
        assert len(series.products) == len(rule.products), where
        for got, want, (m, s_exp) in zip(series.products, rule.products, expected):
            assert (got.dependency, got.s_mantissa, got.s_exp) == (want.dependency, m, s_exp), \
                where
            assert got.decimate_exponent == (rule.k if want.dependency == "u" else None), where
            assert [(f.state_var, f.const, f.is_sgn) for f in got.factors] == \
                [(f.state_var, f.const, f.is_sgn) for f in want.factors], where


def _valid(seed):
    for rng, rule, target, series in _rules(seed):
        if not isinstance(series, LearningRuleError):
            yield rng, rule, target, series


@pytest.mark.parametrize("seed", SEEDS)
def test_fixed_point_applier_matches_the_docs(seed):
    """LearningRuleApplierBitApprox == the docs' steps 1-5, synapse by synapse."""
    for rng, rule, target, series in _valid(seed):
        n_pre, n_post = (int(n) for n in rng.integers(1, 6, 2))
        args, state = rulegen.draw_state(rng, n_pre, n_post, fixed=True)
        acc = rng.integers(-2 ** 15 - 1, 2 ** 15, (n_post, n_pre))
        got = LearningRuleApplierBitApprox(series).apply(acc.copy(), **args)
        want = [[spec_ref.fixed_rule(rule.products, int(acc[i, j]), state, i, j)
                 for j in range(n_pre)] for i in range(n_post)]
        assert got.tolist() == want, f"seed {seed}, {target} = {rule.text!r}"


@pytest.mark.parametrize("seed", SEEDS)
def test_float_applier_matches_the_docs(seed):
    """LearningRuleApplierFloat == the docs' float rule, to the last bit."""
    for rng, rule, target, series in _valid(seed):
        n_pre, n_post = (int(n) for n in rng.integers(1, 6, 2))
        args, state = rulegen.draw_state(rng, n_pre, n_post, fixed=False)
        init = rng.uniform(-300, 300, (n_post, n_pre))
        got = LearningRuleApplierFloat(series).apply(init, **args)
        want = [[spec_ref.float_rule(rule.products, float(init[i, j]), state, i, j)
                 for j in range(n_pre)] for i in range(n_post)]
        assert np.broadcast_to(got, init.shape).tolist() == want, \
            f"seed {seed}, {target} = {rule.text!r}"
