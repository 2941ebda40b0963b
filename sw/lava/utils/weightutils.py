"""Lava's ``lava.utils.weightutils``: kilauea's classes under Lava's path.

The weight optimiser is ``kilauea.numerics.weights.optimize_weight_bits``;
Lava's private helpers ``_determine_weight_exp``,
``_determine_num_weight_bits`` and ``_validate_weights`` are its public
``determine_weight_exp``, ``determine_num_weight_bits`` and
``validate_weights`` under their Lava names.
"""
from ...numerics import weights as _numerics_weights
from .._reexport import reexport

__all__ = reexport(globals(), _numerics_weights)

_determine_weight_exp = _numerics_weights.determine_weight_exp
_determine_num_weight_bits = _numerics_weights.determine_num_weight_bits
_validate_weights = _numerics_weights.validate_weights
