"""How long a run lasts: ``RunSteps`` or ``RunContinuous``."""
from __future__ import annotations


class AbstractRunCondition:
    """Base class. ``blocking``: whether ``run`` returns only when done."""

    def __init__(self, blocking: bool = True):
        self.blocking = bool(blocking)


class RunSteps(AbstractRunCondition):
    """Run ``num_steps`` time steps.

    ``blocking=True`` (default): ``run`` returns after the last step.
    ``blocking=False``: the steps run in a background thread; use
    ``wait()`` (or ``pause()``/``stop()``).
    """

    def __init__(self, num_steps: int, blocking: bool = True):
        super().__init__(blocking)
        if isinstance(num_steps, bool) or int(num_steps) != num_steps or num_steps < 1:
            raise ValueError(f"RunSteps: num_steps must be a positive integer, got {num_steps!r}")
        self.num_steps = int(num_steps)

    def __repr__(self):
        return f"RunSteps(num_steps={self.num_steps}, blocking={self.blocking})"


class RunContinuous(AbstractRunCondition):
    """Run until ``pause()`` or ``stop()``, in a background thread."""

    def __init__(self):
        super().__init__(blocking=False)

    def __repr__(self):
        return "RunContinuous()"
