"""Lava's ``lava.proc.prodneuron.models``: kilauea's classes under Lava's path."""
from ....proc.prodneuron import models as _proc_prodneuron_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_prodneuron_models)
