"""Learning rules as users write them: Lava's `LoihiLearningRule` family.

A rule object holds up to three rule strings (``dw``, ``dd``, ``dt``; at
least one), the trace parameters (impulse and decay time constant tau of
x1, x2, y1, y2, y3), the epoch length `t_epoch` (time steps between weight
updates) and `rng_seed` (the seed of the fixed-point models' random streams;
drawn from numpy's global generator when not given, as lava-nc does). The
strings are parsed into `ProductSeries` at construction, so a bad rule
fails there, naming the rule, the term and the grammar rule it breaks
(docs/learning.md). `Loihi2FLearningRule` is the two-factor rule (the
connection keeps the post-synaptic traces), `Loihi3FLearningRule` the
three-factor one (the post-synaptic neuron sends y1..y3; the connection's
own y traces are switched off: impulse 0, tau 65535).
"""
from __future__ import annotations

import math
import numbers
from typing import Dict, Optional, Set, Tuple

import numpy as np

from . import string_symbols as sym
from .errors import LearningRuleError
from .product_series import ProductSeries
from .symbolic_equation import SymbolicEquation

__all__ = ["LoihiLearningRule", "Loihi2FLearningRule", "Loihi3FLearningRule"]

#: The traces whose impulse and tau a rule holds.
TRACE_NAMES = ("x1", "x2", "y1", "y2", "y3")
#: tau of a switched-off trace (Loihi3FLearningRule's y traces).
TAU_OFF = int(np.iinfo(np.uint16).max)


def _check_impulse(name: str, impulse: float) -> float:
    """A trace impulse: a finite number >= 0."""
    if not isinstance(impulse, numbers.Real) or not math.isfinite(impulse) or impulse < 0:
        raise LearningRuleError(None, f"{name}_impulse={impulse!r}",
                                "a trace impulse is a finite number >= 0")
    return impulse


def _check_tau(name: str, tau: float) -> float:
    """A trace decay time constant: a number >= 0 (0: the trace does not decay)."""
    if not isinstance(tau, numbers.Real) or math.isnan(tau) or tau < 0:
        raise LearningRuleError(None, f"{name}_tau={tau!r}",
                                "a trace decay time constant tau is a number >= 0")
    return tau


def _check_t_epoch(t_epoch: int) -> int:
    """The epoch length: an integer >= 1."""
    if not isinstance(t_epoch, numbers.Integral) or isinstance(t_epoch, bool) or t_epoch < 1:
        raise LearningRuleError(None, f"t_epoch={t_epoch!r}",
                                "the learning epoch length t_epoch is an integer >= 1")
    return t_epoch


def _trace_property(name: str, kind: str) -> property:
    """The ``{name}_{kind}`` property (kind: impulse or tau), checked when set."""
    check = _check_impulse if kind == "impulse" else _check_tau
    attr = f"_{name}_{kind}"

    def getter(self) -> float:
        return getattr(self, attr)

    def setter(self, value: float) -> None:
        setattr(self, attr, check(name, value))

    unit = "added to the trace at a spike" if kind == "impulse" else \
        "decay time constant, in time steps (0: no decay)"
    return property(getter, setter, doc=f"{name}'s {kind}: {unit}.")


def _rule_string_property(target: str) -> property:
    """The ``{target}_str`` property; setting it re-parses the rules."""
    attr = f"_{target}_str"

    def getter(self) -> Optional[str]:
        return getattr(self, attr)

    def setter(self, value: Optional[str]) -> None:
        old = getattr(self, attr)
        setattr(self, attr, value)
        try:
            self._parse_rules()
        except ValueError:
            setattr(self, attr, old)
            raise

    return property(getter, setter, doc=f"The {target} rule string (None: no {target} rule).")


class LoihiLearningRule:
    """A learning rule: `dw`, `dd`, `dt` rule strings (at least one), trace
    impulses and taus (``x1_impulse``, ``x1_tau``, ... ``y3_tau``), `t_epoch`
    (time steps per learning epoch, >= 1) and `rng_seed` (fixed-point random
    streams; docs/learning.md, "Random streams").

    After construction `dw`, `dd`, `dt` are the parsed `ProductSeries` (None
    for a rule not given); `active_product_series`, `active_traces`,
    `active_traces_per_dependency` and `decimate_exponent` describe them."""

    def __init__(self, dw: Optional[str] = None, dd: Optional[str] = None,
                 dt: Optional[str] = None,
                 x1_impulse: float = 0.0, x1_tau: float = 0.0,
                 x2_impulse: float = 0.0, x2_tau: float = 0.0,
                 y1_impulse: float = 0.0, y1_tau: float = 0.0,
                 y2_impulse: float = 0.0, y2_tau: float = 0.0,
                 y3_impulse: float = 0.0, y3_tau: float = 0.0,
                 t_epoch: int = 1, rng_seed: Optional[int] = None) -> None:
        self._dw_str, self._dd_str, self._dt_str = dw, dd, dt
        self.x1_impulse, self.x1_tau = x1_impulse, x1_tau
        self.x2_impulse, self.x2_tau = x2_impulse, x2_tau
        self.y1_impulse, self.y1_tau = y1_impulse, y1_tau
        self.y2_impulse, self.y2_tau = y2_impulse, y2_tau
        self.y3_impulse, self.y3_tau = y3_impulse, y3_tau
        self.t_epoch = t_epoch
        if rng_seed is not None and (not isinstance(rng_seed, numbers.Integral)
                                     or rng_seed < 0):
            raise LearningRuleError(None, f"rng_seed={rng_seed!r}",
                                    "rng_seed is an integer >= 0 (or None)")
        self._rng_seed = (rng_seed if rng_seed is not None
                          else np.random.randint(1, np.iinfo(np.int32).max))
        self._parse_rules()

    # -- the rule strings -------------------------------------------------------------------
    dw_str = _rule_string_property(sym.DW)
    dd_str = _rule_string_property(sym.DD)
    dt_str = _rule_string_property(sym.DT)

    def _parse_rules(self) -> None:
        """Parse the rule strings given into ProductSeries; derive the rest."""
        strings = {sym.DW: self._dw_str, sym.DD: self._dd_str, sym.DT: self._dt_str}
        self._active_str_learning_rules = {k: s for k, s in strings.items() if s is not None}
        if not self._active_str_learning_rules:
            raise LearningRuleError(None, "dw=dd=dt=None",
                                    "a learning rule needs at least one of dw, dd, dt")
        self._active_product_series = {
            target: ProductSeries(SymbolicEquation(target, rule))
            for target, rule in self._active_str_learning_rules.items()}
        self._decimate_exponent = self._common_decimate_exponent()
        self._dw = self._active_product_series.get(sym.DW)
        self._dd = self._active_product_series.get(sym.DD)
        self._dt = self._active_product_series.get(sym.DT)
        self._active_traces, self._active_traces_per_dependency = self._collect_traces()

    def _common_decimate_exponent(self) -> Optional[int]:
        """The one K of all ``uK`` in the rules (None without any); each rule's
        own K is checked by its ProductSeries."""
        found = {series.decimate_exponent: target
                 for target, series in self._active_product_series.items()
                 if series.decimate_exponent is not None}
        if len(found) > 1:
            terms = ", ".join(f"u{k} in {t}" for k, t in sorted(found.items()))
            raise LearningRuleError(None, terms, "all uK dependencies of the rules dw, dd, "
                                    "dt share one decimate exponent K")
        return next(iter(found), None)

    def _collect_traces(self) -> Tuple[Set[str], Dict[str, Set[str]]]:
        traces: Set[str] = set()
        per_dependency: Dict[str, Set[str]] = {}
        for series in self._active_product_series.values():
            for dependency, used in series.active_traces_per_dependency.items():
                traces |= used
                per_dependency[dependency] = per_dependency.get(dependency, set()) | used
        return traces, per_dependency

    # -- trace parameters and epoch ---------------------------------------------------------
    x1_impulse = _trace_property("x1", "impulse")
    x1_tau = _trace_property("x1", "tau")
    x2_impulse = _trace_property("x2", "impulse")
    x2_tau = _trace_property("x2", "tau")
    y1_impulse = _trace_property("y1", "impulse")
    y1_tau = _trace_property("y1", "tau")
    y2_impulse = _trace_property("y2", "impulse")
    y2_tau = _trace_property("y2", "tau")
    y3_impulse = _trace_property("y3", "impulse")
    y3_tau = _trace_property("y3", "tau")

    @property
    def t_epoch(self) -> int:
        """Time steps per learning epoch (>= 1)."""
        return self._t_epoch

    @t_epoch.setter
    def t_epoch(self, value: int) -> None:
        self._t_epoch = _check_t_epoch(value)

    @property
    def rng_seed(self) -> int:
        """Seed of the fixed-point random streams."""
        return self._rng_seed

    @rng_seed.setter
    def rng_seed(self, value: int) -> None:
        self._rng_seed = value

    # -- the parsed rules -------------------------------------------------------------------
    @property
    def dw(self) -> Optional[ProductSeries]:
        """The weight rule (None: not given)."""
        return self._dw

    @property
    def dd(self) -> Optional[ProductSeries]:
        """The delay rule (None: not given)."""
        return self._dd

    @property
    def dt(self) -> Optional[ProductSeries]:
        """The tag rule (None: not given)."""
        return self._dt

    @property
    def decimate_exponent(self) -> Optional[int]:
        """K of the rules' ``uK`` dependencies (None without any)."""
        return self._decimate_exponent

    @property
    def active_product_series(self) -> Dict[str, ProductSeries]:
        """Target (dw, dd, dt) -> ProductSeries, for the rules given."""
        return self._active_product_series

    @property
    def active_traces_per_dependency(self) -> Dict[str, Set[str]]:
        """Dependency -> the traces its products use, over all rules."""
        return self._active_traces_per_dependency

    @property
    def active_traces(self) -> Set[str]:
        """Every trace the rules use."""
        return self._active_traces


class Loihi2FLearningRule(LoihiLearningRule):
    """A two-factor rule: the connection keeps both pre- and post-synaptic traces."""


class Loihi3FLearningRule(LoihiLearningRule):
    """A three-factor rule: the post-synaptic neuron computes y1..y3 (the third
    factor among them) and sends them; the connection's y traces are off."""

    def __init__(self, dw: Optional[str] = None, dd: Optional[str] = None,
                 dt: Optional[str] = None,
                 x1_impulse: float = 0.0, x1_tau: float = 0.0,
                 x2_impulse: float = 0.0, x2_tau: float = 0.0,
                 t_epoch: int = 1, rng_seed: Optional[int] = None) -> None:
        super().__init__(dw=dw, dd=dd, dt=dt, x1_impulse=x1_impulse, x1_tau=x1_tau,
                         x2_impulse=x2_impulse, x2_tau=x2_tau,
                         y1_impulse=0, y1_tau=TAU_OFF, y2_impulse=0, y2_tau=TAU_OFF,
                         y3_impulse=0, y3_tau=TAU_OFF, t_epoch=t_epoch, rng_seed=rng_seed)
