"""Lava's ``lava.magma.core.run_conditions``: kilauea's classes under Lava's path."""
from ....core import run_conditions as _core_run_conditions
from ..._reexport import reexport

__all__ = reexport(globals(), _core_run_conditions)
