"""Lava's ``lava.proc.clp.novelty_detector.models``: kilauea's classes under Lava's path."""
from .....proc.clp.novelty_detector import models as _models
from ...._reexport import reexport

__all__ = reexport(globals(), _models)
