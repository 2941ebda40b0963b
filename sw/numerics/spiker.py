"""Spiker (lava-nc 0.10's ``lava.proc.spiker``): a periodic source.

Spec: ``docs/processes.md``, section "Spiker". Each step, with ``counter``
starting at 0: where ``counter == period`` the neuron sends ``payload``
(else 0) and ``counter`` becomes 1; elsewhere ``counter`` grows by 1. So a
neuron first sends at step ``period + 1``, then every ``period`` steps.
Pure function.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

__all__ = ["spiker_step"]


def spiker_step(counter, period, payload) -> Tuple[np.ndarray, np.ndarray]:
    """Returns ``(counter', s_out)``."""
    counter = np.asarray(counter)
    fire = counter == np.asarray(period)
    return np.where(fire, 1, counter + 1), np.where(fire, payload, 0)
