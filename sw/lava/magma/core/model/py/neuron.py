"""Lava's ``lava.magma.core.model.py.neuron``: kilauea's learning-neuron model bases
under Lava's path."""
from ......proc.plastic import neuron_models as _neuron_models
from ....._reexport import reexport

__all__ = reexport(globals(), _neuron_models)
