"""PrototypeLIF: the prototype neurons of CLP (a LearningLIF with a reset input)."""
from __future__ import annotations

import typing as ty

from ...lif.learning import LearningLIF
from ...lif.process import ArrayLike, Scalar
from ..._api import InPort, LogConfig


class PrototypeLIF(LearningLIF):
    """Prototype leaky-integrate-and-fire neurons with learning enabled.

    Parameters: LearningLIF's. Ports (besides LearningLIF's): ``reset_in`` (a
    positive value resets that neuron's ``u`` and ``v`` to 0 after the step's update).
    Fixed point only (model: :mod:`.models`).
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], u: ArrayLike = 0, v: ArrayLike = 0,
                 du: Scalar = 0, dv: Scalar = 0, bias_mant: ArrayLike = 0,
                 bias_exp: ArrayLike = 0, vth: Scalar = 10, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, learning_rule=None,
                 **kwargs) -> None:
        super().__init__(shape=shape, u=u, v=v, du=du, dv=dv, vth=vth,
                         bias_mant=bias_mant, bias_exp=bias_exp, name=name,
                         log_config=log_config, learning_rule=learning_rule, **kwargs)
        self.reset_in = InPort(shape=shape)
