"""CPU ProcessModels of ConvInTime (as lava-nc 0.10's ``PyConvInTimeFloat``
and ``PyConvInTimeFixed``, which compute the same: float weights and
buffer). The step is :func:`kilauea.numerics.conv_in_time.conv_in_time_step`.
"""
from __future__ import annotations

import numpy as np

from ...numerics.conv_in_time import conv_in_time_step
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel, PyOutPort,
                    implements, requires, tag)
from .process import ConvInTime

__all__ = ["AbstractPyConvInTimeModel", "PyConvInTimeFloat", "PyConvInTimeFixed"]


class AbstractPyConvInTimeModel(PyLoihiProcessModel):
    """Sends the buffer's first column, then adds this step's input."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, bool, precision=1)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buff: np.ndarray = LavaPyType(np.ndarray, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)

    def run_spk(self) -> None:
        s_in = self.s_in.recv()
        if np.asarray(self.num_message_bits).reshape(-1)[0] <= 0:
            s_in = s_in.astype(bool)
        a_buff, out = conv_in_time_step(self.a_buff, self.weights, s_in)
        self.a_out.send(out)
        self.a_buff[:] = a_buff


@implements(proc=ConvInTime, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyConvInTimeFloat(AbstractPyConvInTimeModel):
    """ConvInTime in floating point."""


@implements(proc=ConvInTime, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyConvInTimeFixed(AbstractPyConvInTimeModel):
    """ConvInTime under the fixed-point tag (lava-nc's computes in floats
    too)."""
