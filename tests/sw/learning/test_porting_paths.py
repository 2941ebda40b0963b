"""Lava's module paths under kilauea.lava name kilauea.learning's own objects."""
import importlib

import pytest

import kilauea.learning as learning

LAVA = "kilauea.lava.magma.core.learning."
PATHS = {
    "string_symbols": ["X0", "TRACES", "FACTOR_STATE_VARS", "SYNAPTIC_VARIABLE_VAR_MAPPING"],
    "constants": ["W_TRACE", "W_ACCUMULATOR_U", "FACTOR_TO_WIDTH_DICT", "GradedSpikeCfg"],
    "utils": ["stochastic_round", "apply_mask", "float_to_literal"],
    "symbolic_equation": ["SymbolicEquation", "Literal", "BracketExpression", "SYMBOL_CLASSES"],
    "product_series": ["Factor", "Product", "ProductSeries"],
    "learning_rule": ["LoihiLearningRule", "Loihi2FLearningRule", "Loihi3FLearningRule"],
    "random": ["TraceRandom", "ConnVarRandom"],
    "learning_rule_applier": ["LearningRuleApplierFloat", "LearningRuleApplierBitApprox"],
}


@pytest.mark.parametrize("module", sorted(PATHS))
def test_lava_learning_modules_reexport_kilauea_objects(module):
    lava_module = importlib.import_module(LAVA + module)
    for name in PATHS[module]:
        ours = getattr(learning.string_symbols, name) if module == "string_symbols" \
            else getattr(learning, name)
        assert getattr(lava_module, name) is ours, f"{module}.{name}"


def test_lava_learning_rules_paths():
    stdp = importlib.import_module("kilauea.lava.proc.learning_rules.stdp_learning_rule")
    r_stdp = importlib.import_module("kilauea.lava.proc.learning_rules.r_stdp_learning_rule")
    assert stdp.STDPLoihi is learning.STDPLoihi
    assert r_stdp.RewardModulatedSTDP is learning.RewardModulatedSTDP
