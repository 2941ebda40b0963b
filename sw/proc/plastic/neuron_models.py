"""ProcessModel bases of learning neurons (lava-nc's ``LearningNeuronModel``).

A learning neuron model mixes :class:`LearningNeuronModelFloat` or
:class:`LearningNeuronModelFixed` in front of its neuron model. The bases declare the
ports and Vars of :class:`kilauea.proc.plastic.process.LearningNeuronProcess` and keep
``_shape`` and ``_learning_rule`` from ``proc_params``; what the neuron sends on
``s_out_bap`` and ``s_out_y1..3`` is the subclass's choice (lava-nc's LearningLIF
sends nothing there: connect its ``s_out`` to a plastic connection's ``s_in_bap``).
"""
from __future__ import annotations

import numpy as np

from .._api import LavaPyType, PyInPort, PyLoihiProcessModel, PyOutPort


class LearningNeuronModel(PyLoihiProcessModel):
    """Base of learning neuron models: ``_shape`` and ``_learning_rule``."""

    a_third_factor_in = None
    s_out_bap = None
    s_out_y1 = None
    s_out_y2 = None
    s_out_y3 = None
    y1 = None
    y2 = None
    y3 = None

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self._shape = self.proc_params["shape"]
        self._learning_rule = self.proc_params["learning_rule"]


class LearningNeuronModelFixed(LearningNeuronModel):
    """Fixed point: third factor and y traces 7-bit integers, bap spikes bool."""

    a_third_factor_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=7)
    s_out_bap: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool, precision=1)
    s_out_y1: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    s_out_y2: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    s_out_y3: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=7)
    y1: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)
    y2: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)
    y3: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=7)


class LearningNeuronModelFloat(LearningNeuronModel):
    """Floating point: third factor and y traces float, bap spikes bool."""

    a_third_factor_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out_bap: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, bool)
    s_out_y1: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    s_out_y2: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    s_out_y3: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    y1: np.ndarray = LavaPyType(np.ndarray, float)
    y2: np.ndarray = LavaPyType(np.ndarray, float)
    y3: np.ndarray = LavaPyType(np.ndarray, float)
