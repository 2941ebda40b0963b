"""Synaptic learning as Lava (lava-nc 0.10) has it, for the CPU models.

A learning rule is written as sums of products over traces and synaptic
variables (``dw = "2^-2 * x0 * y1 - y0 * x1"``); `learning_rule` holds the rule
objects users build, `symbolic_equation` parses a rule string into symbols,
`product_series` turns the symbols into products (scaling mantissa and
exponent, dependency, factors), `applier` evaluates them over numpy arrays in
float or in Lava's fixed point, `random` holds the seeded random streams
of the fixed-point stochastic rounding. The equations and the rounding
rules are in docs/learning.md.

Modules: `string_symbols` (the names of the grammar), `constants` (bit
widths), `errors`, `utils`, `symbolic_equation`, `product_series`,
`learning_rule`, `random`, `applier`, `rules` (STDP and
reward-modulated STDP).
"""
from .applier import *  # noqa: F401,F403
from .constants import *  # noqa: F401,F403
from .errors import LearningRuleError
from .learning_rule import *  # noqa: F401,F403
from .product_series import *  # noqa: F401,F403
from .random import *  # noqa: F401,F403
from .rules import *  # noqa: F401,F403
from .symbolic_equation import *  # noqa: F401,F403
from .utils import *  # noqa: F401,F403

from . import (applier, constants, errors, learning_rule, product_series, random, rules,
               string_symbols, symbolic_equation, utils)

__all__ = ["LearningRuleError", "string_symbols"] + [
    name for module in (applier, constants, learning_rule, product_series, random, rules,
                        symbolic_equation, utils) for name in module.__all__]
