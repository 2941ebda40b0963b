"""The compiler's error type."""
from __future__ import annotations

from ..core.exceptions import KilaueaError

__all__ = ["CompileError"]


class CompileError(KilaueaError, ValueError):
    """A network the compiler cannot map onto the chip exactly. The message
    names what is at fault (process, parameter, projection, resource, core)
    and, for capacities, the shortfall."""
