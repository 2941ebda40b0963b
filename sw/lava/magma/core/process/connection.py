"""Lava's ``lava.magma.core.process.connection``: kilauea's ``LearningConnectionProcess``
under Lava's path."""
from .....proc.plastic.process import LearningConnectionProcess

__all__ = ["LearningConnectionProcess"]
