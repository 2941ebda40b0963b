"""Lava's ``lava.proc.clp.novelty_detector.process``: kilauea's classes under Lava's path."""
from .....proc.clp.novelty_detector import process as _process
from ...._reexport import reexport

__all__ = reexport(globals(), _process)
