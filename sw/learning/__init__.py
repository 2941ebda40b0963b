"""Synaptic learning as Lava (lava-nc 0.10) has it, for the CPU models.

A learning rule is written as sums of products over traces and synaptic
variables (``dw = "2^-2 * x0 * y1 - y0 * x1"``); `learning_rule` holds the rule
objects users build, `symbolic_equation` parses a rule string into symbols,
`product_series` turns the symbols into products (scaling mantissa and
exponent, dependency, factors), `applier` evaluates them over numpy arrays in
float or in Lava's fixed point, `traces` decays traces and adds impulses,
`random` holds the seeded random streams of the fixed-point stochastic
rounding. The equations and the rounding rules are in docs/learning.md.

Modules: `string_symbols` (the names of the grammar), `constants` (bit
widths), `errors`, `utils`, `symbolic_equation`, `product_series`,
`learning_rule`, `random`, `traces`, `applier`, `rules` (STDP and
reward-modulated STDP).
"""
