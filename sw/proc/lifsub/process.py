"""LIFSubtract: a LIF neuron whose threshold is subtracted, not reset to zero.

The reset of snnTorch's ``Leaky`` and ``Synaptic`` neurons (their default
``reset_mechanism="subtract"``, ``reset_delay=True``): a spike at step t
subtracts ``vth`` from ``v`` at step t+1, and ``v`` holds the value before
that subtraction. Equations (``kilauea.numerics.lifsub``)::

    u[t] = u[t-1] * (1 - du) + a_in
    v[t] = v[t-1] * (1 - dv) + u[t] + bias - vth * (v[t-1] > vth)
    s_out = v[t] > vth

Vars, units and fixed-point ranges are LIF's (``kilauea.LIF``): ``du``,
``dv`` in 1/4096 (0..4095), ``bias = bias_mant * 2**bias_exp``, ``vth``
17-bit unsigned compared as ``vth << 6``. Runs on the CPU (``floating_pt``,
``fixed_pt``) and on the chip (program ``lif_subtract``).
"""
from __future__ import annotations

import typing as ty

from .._api import LogConfig, Var
from .._common import require_finite
from ..lif.process import AbstractLIF, ArrayLike, Scalar, _check_scalar


class LIFSubtract(AbstractLIF):
    """LIF with reset by subtraction (see the module docstring).

    Parameters: LIF's (``shape, u, v, du, dv, bias_mant, bias_exp, vth,
    name, log_config``).
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], u: ArrayLike = 0,
                 v: ArrayLike = 0, du: Scalar = 0, dv: Scalar = 0,
                 bias_mant: ArrayLike = 0, bias_exp: ArrayLike = 0,
                 vth: Scalar = 10, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        _check_scalar("vth", vth)
        super().__init__(shape=shape, u=u, v=v, du=du, dv=dv,
                         bias_mant=bias_mant, bias_exp=bias_exp, name=name,
                         log_config=log_config)
        self.vth = Var(shape=(1,), init=vth)
        require_finite(self.vth)
