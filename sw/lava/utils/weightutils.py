"""Lava's ``lava.utils.weightutils``: kilauea's classes under Lava's path."""
from ...numerics import weights as _numerics_weights
from .._reexport import reexport

__all__ = reexport(globals(), _numerics_weights)
