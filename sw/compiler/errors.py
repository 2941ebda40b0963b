"""The compiler's error type."""
from __future__ import annotations

from ..core.exceptions import KilaueaError

__all__ = ["CompileError", "ChipRefusal"]


class CompileError(KilaueaError, ValueError):
    """A network the compiler cannot map onto the chip exactly. The message
    names what is at fault (process, parameter, projection, resource, core)
    and, for capacities, the shortfall."""


class ChipRefusal(CompileError):
    """The chip cannot hold `process` as given (a parameter the neuron
    program cannot represent, an input it cannot reproduce). A process
    whose chip model sets `host_fallback` then runs on the host instead
    (`kilauea.runtime.chip.fallback`), unless the run config demands the
    chip; the message names the parameter, its value and the limit."""

    def __init__(self, message: str, process=None):
        super().__init__(message)
        self.process = process
