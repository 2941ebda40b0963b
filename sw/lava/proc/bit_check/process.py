"""Lava's ``lava.proc.bit_check.process``: kilauea's classes under Lava's path."""
from ....proc.bit_check import process as _proc_bit_check_process
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_bit_check_process)
