"""Lava's ``lava.proc.bit_check.models``: kilauea's classes under Lava's path."""
from ....proc.bit_check import models as _proc_bit_check_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_bit_check_models)
