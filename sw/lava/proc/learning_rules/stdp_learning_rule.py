"""Lava's ``lava.proc.learning_rules.stdp_learning_rule``: kilauea's rules under Lava's path."""
from ....learning import rules as _learning_rules
from ..._reexport import reexport

__all__ = reexport(globals(), _learning_rules)
