"""Lava's ``lava.magma.core.process.ports.exceptions``.

Kilauea raises one error class for every port connection it refuses,
``kilauea.core.exceptions.PortConnectionError`` (a ``ValueError`` whose
message names both ports and the rule broken), where Lava has one class per
rule. Lava's names are aliases of it here, so ``except ReshapeError`` and
``assertRaises(ReshapeError)`` keep working; note that each of them also
catches the other port errors.
"""
from ......core.exceptions import PortConnectionError

ReshapeError = PortConnectionError
DuplicateConnectionError = PortConnectionError
ConcatShapeError = PortConnectionError
ConcatIndexError = PortConnectionError
TransposeShapeError = PortConnectionError
TransposeIndexError = PortConnectionError
VarNotSharableError = PortConnectionError

__all__ = ["ReshapeError", "DuplicateConnectionError", "ConcatShapeError",
           "ConcatIndexError", "TransposeShapeError", "TransposeIndexError",
           "VarNotSharableError"]
