"""The random streams of fixed-point learning (docs/learning.md, "Random streams").

Every stochastic rounding of a step uses one number shared by all neurons
and synapses: a float in [0, 1) for a trace decay and for the synaptic
variable update, an integer in 0 .. 2**W_TRACE - 1 for a trace impulse's
fraction. Each stream is its own numpy ``default_rng`` (PCG64), drawn one
number at a time, so a seeded run repeats exactly; `rule_randoms` gives the
streams a plastic connection uses, seeded as lava-nc 0.10 seeds them.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Optional

import numpy as np

from .constants import W_TRACE

__all__ = ["AbstractRandomGenerator", "TraceRandom", "ConnVarRandom", "LearningRandoms",
           "rule_randoms", "CONN_VAR_SEED"]

#: The fixed seed of the synaptic-variable rounding stream (not the rule's rng_seed).
CONN_VAR_SEED = 2


class AbstractRandomGenerator(ABC):
    """A stream whose current numbers move on with `advance`."""

    @abstractmethod
    def advance(self) -> None:
        """Draw the next numbers."""


def _draw_float(rng: np.random.Generator) -> np.float64:
    """One float in [0, 1)."""
    return rng.random(1)[0]


def _draw_trace_int(rng: np.random.Generator) -> np.int64:
    """One integer in 0 .. 2**W_TRACE - 1."""
    return rng.integers(0, 2 ** W_TRACE, size=1, dtype=int)[0]


class TraceRandom(AbstractRandomGenerator):
    """The two streams of a trace group: `random_trace_decay` (float in [0, 1),
    rounds a decayed trace) from seed `seed_trace_decay`, and
    `random_impulse_addition` (integer 0..127, rounds an impulse's fraction)
    from seed `seed_impulse_addition`. The first numbers are drawn at
    construction; `advance` draws one more of each."""

    def __init__(self, seed_trace_decay: Optional[int] = 0,
                 seed_impulse_addition: Optional[int] = 1) -> None:
        self._rng_trace_decay = np.random.default_rng(seed=seed_trace_decay)
        self._rng_impulse_addition = np.random.default_rng(seed=seed_impulse_addition)
        self._random_trace_decay = _draw_float(self._rng_trace_decay)
        self._random_impulse_addition = _draw_trace_int(self._rng_impulse_addition)

    @property
    def random_trace_decay(self) -> np.float64:
        """The current number for rounding a decayed trace, in [0, 1)."""
        return self._random_trace_decay

    @property
    def random_impulse_addition(self) -> np.int64:
        """The current number for rounding an impulse's fraction, 0..127."""
        return self._random_impulse_addition

    def advance(self) -> None:
        self._random_trace_decay = _draw_float(self._rng_trace_decay)
        self._random_impulse_addition = _draw_trace_int(self._rng_impulse_addition)


class ConnVarRandom(AbstractRandomGenerator):
    """The stream that rounds the synaptic variables after a rule is applied:
    `random_stochastic_round`, a float in [0, 1), from seed
    `seed_stochastic_rounding` (lava-nc's models use the default, 2)."""

    def __init__(self, seed_stochastic_rounding: Optional[int] = CONN_VAR_SEED) -> None:
        self._rng = np.random.default_rng(seed=seed_stochastic_rounding)
        self._random_stochastic_round = _draw_float(self._rng)

    @property
    def random_stochastic_round(self) -> np.float64:
        """The current number for rounding synaptic variables, in [0, 1)."""
        return self._random_stochastic_round

    def advance(self) -> None:
        self._random_stochastic_round = _draw_float(self._rng)


@dataclass(frozen=True)
class LearningRandoms:
    """The streams of one plastic connection: pre-synaptic traces (`x`),
    post-synaptic traces (`y`) and synaptic variables (`conn_var`)."""
    x: TraceRandom
    y: TraceRandom
    conn_var: ConnVarRandom


def rule_randoms(rng_seed: int) -> LearningRandoms:
    """The streams for a rule with seed `rng_seed`: x traces seeded rng_seed
    (decay) and rng_seed + 1 (impulse), y traces rng_seed + 2 and rng_seed + 3,
    the synaptic variables `CONN_VAR_SEED` whatever the rule's seed."""
    return LearningRandoms(
        x=TraceRandom(seed_trace_decay=rng_seed, seed_impulse_addition=rng_seed + 1),
        y=TraceRandom(seed_trace_decay=rng_seed + 2, seed_impulse_addition=rng_seed + 3),
        conn_var=ConnVarRandom())
