"""Lava's ``lava.magma.core.process.ports.reduce_ops``: how an InPort with
several senders combines them. Kilauea sums (``ReduceSum``, Lava's default
and only operation)."""
from ......core.ports import AbstractReduceOp, ReduceSum

__all__ = ["AbstractReduceOp", "ReduceSum"]
