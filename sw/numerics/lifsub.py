"""LIF with reset by subtraction (snnTorch's default reset): float and fixed point.

snnTorch's ``Leaky`` / ``Synaptic`` with ``reset_mechanism="subtract"`` and
its default ``reset_delay=True`` subtract the threshold one step *after* the
spike, from the undecayed sum, and report ``v`` before that subtraction. In
the LIF notation of ``docs/processes.md``::

    u[t] = u[t-1] * (1 - du) + a_in
    v[t] = v[t-1] * (1 - dv) + u[t] + bias - vth * (v[t-1] > vth)
    s[t] = v[t] > vth                  # v[t] is stored as it is

Fixed point: LIF's arithmetic and widths (``kilauea.numerics.lif``: ``u``
with its single 24-bit wrap, ``du``, ``dv`` in 1/4096, ``vth`` compared as
``vth << 6``), the subtraction of ``vth << 6`` before the 24-bit saturation
of ``v``::

    v' = sat24(trunc_shr(v * (4096 - dv), 12) + u' + bias
               - (vth << 6) * (v > vth << 6))

All functions are pure.
"""
from __future__ import annotations

from typing import Tuple

import numpy as np

from .lif import V_LIMIT, _current_fixed, trunc_shr, DECAY_SHIFT, DECAY_UNITY

__all__ = ["lif_subtract_fixed_step", "lif_subtract_float_step"]


def lif_subtract_fixed_step(u, v, a_in, du: int, dv: int, bias,
                            vth_eff) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One bit-exact step. ``u``, ``v``: int state before the step (24-bit
    signed); ``a_in``: this step's summed input; ``du``, ``dv``: 0..4095;
    ``bias``: effective bias (``kilauea.numerics.effective_bias``);
    ``vth_eff``: ``vth << 6``. Returns int64 ``(u', v', spikes)``; ``v'`` is
    not reset (the next step subtracts ``vth_eff`` where ``v' > vth_eff``)."""
    v = np.asarray(v, dtype=np.int64)
    u_new = _current_fixed(u, a_in, du)
    v_new = trunc_shr(v * (DECAY_UNITY - int(dv)), DECAY_SHIFT)
    v_new += u_new
    v_new += bias
    v_new -= np.where(v > vth_eff, vth_eff, 0)
    np.clip(v_new, -V_LIMIT, V_LIMIT, out=v_new)
    return u_new, v_new, v_new > vth_eff


def lif_subtract_float_step(u, v, a_in, du, dv, bias,
                            vth) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One floating-point step (see the module docstring); returns float64
    ``(u', v', spikes)``, ``v'`` not reset."""
    v = np.asarray(v, dtype=np.float64)
    u_new = np.asarray(u, dtype=np.float64) * (1 - du) + a_in
    v_new = v * (1 - dv) + u_new + bias - np.where(v > vth, vth, 0.0)
    return u_new, v_new, v_new > vth
