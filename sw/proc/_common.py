"""Helpers shared by the process library's models (no public names).

- :func:`owner_of`: the name error messages give a model ("PyXModel of
  process 'p'").
- :class:`PopulationShape`: the ``shape`` property of a neuron Process.
- :func:`require_finite`: marks Vars whose host writes (``Var.set``) must
  hold finite numbers.
- :class:`CachedFixedParams`: the validate-once-then-cache pattern of the
  fixed-point models (checked before the first step and again after a host
  write to a Var).
"""
from __future__ import annotations


def owner_of(model) -> str:
    proc = getattr(model, "_process", None)
    return f"{type(model).__name__} of process '{proc.name}'" if proc is not None \
        else type(model).__name__


def require_finite(*variables) -> None:
    """``Var.set`` of these Vars rejects NaN and infinity (naming the Var)."""
    for var in variables:
        var.finite = True


class PopulationShape:
    """Mixin of a Process created with ``shape`` (in ``proc_params``)."""

    @property
    def shape(self) -> tuple:
        """The shape of the population."""
        return self.proc_params["shape"]


class CachedFixedParams:
    """Mixin: ``fixed_params()`` returns ``compute_params(owner)``, computed
    once and again after any host write (``on_var_update``). Before the
    first computation ``check_inits(owner, proc)`` checks the user's values
    as given (before their cast to the model's ints)."""

    _params = None
    _checked_inits = False

    def on_var_update(self) -> None:
        self._params = None       # a parameter may have changed: re-check

    def check_inits(self, owner: str, proc) -> None:
        """Check the process's initial values (default: nothing)."""

    def compute_params(self, owner: str):
        raise NotImplementedError

    def fixed_params(self):
        if self._params is None:
            owner = owner_of(self)
            proc = getattr(self, "_process", None)
            if proc is not None and not self._checked_inits:
                self.check_inits(owner, proc)
                self._checked_inits = True
            self._params = self.compute_params(owner)
        return self._params
