"""Lava's ``lava.proc.spiker.models``: kilauea's classes under Lava's path."""
from ....proc.spiker import models as _proc_spiker_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_spiker_models)
