"""Lava's ``lava.proc.rf.models``: kilauea's classes under Lava's path."""
from ....proc.rf import models as _proc_rf_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_rf_models)
