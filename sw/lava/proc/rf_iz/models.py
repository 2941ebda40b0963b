"""Lava's ``lava.proc.rf_iz.models``: kilauea's classes under Lava's path."""
from ....proc.rf_iz import models as _proc_rf_iz_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_rf_iz_models)
