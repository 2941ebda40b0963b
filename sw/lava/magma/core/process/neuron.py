"""Lava's ``lava.magma.core.process.neuron``: kilauea's ``LearningNeuronProcess`` under
Lava's path."""
from .....proc.plastic.process import LearningNeuronProcess

__all__ = ["LearningNeuronProcess"]
