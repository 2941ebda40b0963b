"""ProdNeuron (lava-nc 0.10's ``lava.proc.prodneuron.process``): the
product of two graded inputs. Equations: ``docs/processes.md``,
"ProdNeuron", and :mod:`kilauea.numerics.vector_ops`. CPU only.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .._api import AbstractProcess, InPort, LogConfig, OutPort, Var
from .._common import PopulationShape
from ..graded._checks import check_number, check_shape

__all__ = ["ProdNeuron"]


class ProdNeuron(PopulationShape, AbstractProcess):
    """Multiplies its two inputs element by element::

        v     = (a_in1 * a_in2) >> exp
        s_out = v * (|v| > vth)

    Parameters
    ----------
    shape : tuple(int)
    vth : int, optional
        Threshold (default 1).
    exp : int, optional
        Right shift of the product (default 0).

    Ports: ``a_in1``, ``a_in2``, ``s_out``. Vars: ``vth``, ``exp`` (1,),
    ``v`` (per neuron; as in lava-nc the model does not write it).
    """

    def __init__(self, shape: ty.Tuple[int, ...], vth: int = 1, exp: int = 0,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        shape = check_shape("ProdNeuron", shape)
        check_number("ProdNeuron", "vth", vth, -np.inf, np.inf)
        check_number("ProdNeuron", "exp", exp, 0, np.inf)
        super().__init__(shape=shape, name=name, log_config=log_config)
        self.a_in1 = InPort(shape=shape)
        self.a_in2 = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.vth = Var(shape=(1,), init=vth)
        self.exp = Var(shape=(1,), init=exp)
        self.v = Var(shape=shape, init=np.zeros(shape, np.int32))
