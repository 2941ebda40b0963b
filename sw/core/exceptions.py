"""Errors of the host API and the runtime.

Every error names the thing at fault (process, port, model, step) so that a
user can find it without a debugger.
"""


class KilaueaError(Exception):
    """Base class of kilauea's own errors."""


class PortConnectionError(KilaueaError, ValueError, AssertionError):
    """Two ports cannot be connected (shape or kind mismatch).

    Also an ``AssertionError``: Lava raises that for the same mistakes, so
    code written for Lava (``except AssertionError``) catches it as well as
    kilauea's own (``except ValueError``)."""


class PortKindError(PortConnectionError, TypeError):
    """Two ports of kinds that cannot be connected (e.g. a RefPort to an
    InPort); also a ``TypeError``, as Lava raises for a RefPort or VarPort
    joined to an InPort or OutPort."""


class ModelDeclarationError(KilaueaError, TypeError, AssertionError):
    """``@implements``, ``@requires`` or ``@tag`` used on something other
    than a ProcessModel class, with arguments of the wrong kind, or changing
    what a parent model declared. Both a ``TypeError`` and an
    ``AssertionError``: Lava raises one or the other for these mistakes."""


class VarAliasError(KilaueaError, ValueError, AssertionError):
    """A parent's Var cannot alias that Var (shape or ``shareable`` differ,
    or it belongs to no sub-process); also an ``AssertionError``, as Lava
    raises."""


class ModelNotFoundError(KilaueaError, LookupError):
    """No ProcessModel fits a Process under the chosen run configuration."""


class ProcessModelError(KilaueaError, RuntimeError):
    """A ProcessModel raised while the runtime executed it.

    Attributes: ``process`` (the Process), ``model`` (its model class),
    ``time_step`` (the step being executed), ``phase`` (the method that
    raised, e.g. ``run_spk``). The original exception is ``__cause__``.
    """

    def __init__(self, message, process=None, model=None, time_step=None,
                 phase=None):
        super().__init__(message)
        self.process = process
        self.model = model
        self.time_step = time_step
        self.phase = phase


class DeadlockError(KilaueaError, RuntimeError):
    """Processes wait on each other's data and none can go on."""


class RuntimeStoppedError(KilaueaError, RuntimeError):
    """The runtime was stopped: no more runs, no Var values."""


class RuntimeStateError(KilaueaError, RuntimeError):
    """An operation does not fit the runtime's current state."""
