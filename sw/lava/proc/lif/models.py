"""Lava's ``lava.proc.lif.models``: kilauea's classes under Lava's path."""
from ....proc.lif import models as _proc_lif_models
from ....proc.lif import learning_models as _proc_lif_learning_models
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_lif_models, _proc_lif_learning_models)
