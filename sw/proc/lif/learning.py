"""LearningLIF: a LIF neuron that offers plastic connections its third factor and y
traces (ports of :class:`kilauea.proc.plastic.process.LearningNeuronProcess`).

Its models (:mod:`.learning_models`) step exactly as LIF's; a learning neuron that
computes and sends traces subclasses them (see ``docs/learning.md``).
"""
from __future__ import annotations

import typing as ty

from ..plastic.process import LearningNeuronProcess
from .._api import LogConfig, Var
from .._common import require_finite
from .process import AbstractLIF, ArrayLike, Scalar, _check_scalar


class LearningLIF(LearningNeuronProcess, AbstractLIF):
    """Leaky-integrate-and-fire neurons with learning ports.

    Parameters: LIF's (``shape``, ``u``, ``v``, ``du``, ``dv``, ``bias_mant``,
    ``bias_exp``, ``vth``, ``name``, ``log_config``) and ``learning_rule`` (a
    LoihiLearningRule or None, kept for the models).
    Ports (besides LIF's): ``a_third_factor_in``, ``s_out_bap``, ``s_out_y1..3``.
    Vars (besides LIF's): ``y1``, ``y2``, ``y3``.
    """

    def __init__(self, *, shape: ty.Tuple[int, ...], u: ArrayLike = 0, v: ArrayLike = 0,
                 du: Scalar = 0, dv: Scalar = 0, bias_mant: ArrayLike = 0,
                 bias_exp: ArrayLike = 0, vth: Scalar = 10, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, learning_rule=None,
                 **kwargs) -> None:
        _check_scalar("vth", vth)
        super().__init__(shape=shape, u=u, v=v, du=du, dv=dv, bias_mant=bias_mant,
                         bias_exp=bias_exp, name=name, log_config=log_config,
                         learning_rule=learning_rule, **kwargs)
        self.vth = Var(shape=(1,), init=vth)
        require_finite(self.vth)
