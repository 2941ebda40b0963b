"""Lava's ``lava.magma.core.run_configs``: kilauea's classes under Lava's path."""
from ....core import run_configs as _core_run_configs
from ..._reexport import reexport

__all__ = reexport(globals(), _core_run_configs)
