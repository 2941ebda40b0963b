"""The names a learning rule string is written in (docs/learning.md, "Grammar").

Dependencies gate a product (``x0``: the pre-synaptic neuron spiked in the
epoch, ``y0``: the post-synaptic neuron did, ``u``: every ``2**k``-th epoch,
written ``uk``); traces are the low-pass filtered spike trains (``x1``,
``x2`` pre-synaptic, ``y1``..``y3`` post-synaptic); synaptic variables are the
weight ``w``, the delay ``d`` and the tag ``t``; ``C`` names a constant
factor. A rule's left-hand side (its target) is ``dw``, ``dd`` or ``dt``.
"""
__all__ = [
    "X0", "Y0", "SPIKE_DEPENDENCIES", "U", "DEPENDENCIES", "X1", "X2", "PRE_TRACES", "Y1",
    "Y2", "Y3", "POST_TRACES", "TRACES", "W", "D", "T", "SYNAPTIC_VARIABLES", "C",
    "FACTOR_STATE_VARS", "DW", "DD", "DT", "LEARNING_RULE_TARGETS",
    "SYNAPTIC_VARIABLE_VAR_MAPPING", "TARGET_TO_SYNAPTIC_VARIABLE",
]

X0 = "x0"
Y0 = "y0"
SPIKE_DEPENDENCIES = frozenset({X0, Y0})

U = "u"
DEPENDENCIES = SPIKE_DEPENDENCIES | {U}

X1 = "x1"
X2 = "x2"
PRE_TRACES = frozenset({X1, X2})

Y1 = "y1"
Y2 = "y2"
Y3 = "y3"
POST_TRACES = frozenset({Y1, Y2, Y3})

TRACES = PRE_TRACES | POST_TRACES

W = "w"
D = "d"
T = "t"
SYNAPTIC_VARIABLES = frozenset({W, D, T})

C = "C"

#: Everything a Factor may stand for.
FACTOR_STATE_VARS = SPIKE_DEPENDENCIES | TRACES | SYNAPTIC_VARIABLES | {C}

DW = "dw"
DD = "dd"
DT = "dt"
LEARNING_RULE_TARGETS = frozenset({DW, DD, DT})

#: Synaptic variable symbol -> the name of the connection Var that holds it.
SYNAPTIC_VARIABLE_VAR_MAPPING = {W: "weights", D: "tag_2", T: "tag_1"}

#: Target -> the synaptic variable symbol it changes.
TARGET_TO_SYNAPTIC_VARIABLE = {DW: W, DD: D, DT: T}
