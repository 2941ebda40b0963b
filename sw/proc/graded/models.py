"""CPU ProcessModels of GradedVec and GradedReluVec.

``fixed_pt``: bit-exact with the spec (and with the chip's neuron programs
``graded_vec`` / ``graded_relu_vec``, held equal by tests/sw/graded);
``floating_pt``: the same equations in floats. The arithmetic is in
:mod:`kilauea.numerics.graded`.
"""
from __future__ import annotations

import numpy as np

from ...numerics import graded as ng
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel, PyOutPort,
                    implements, requires, tag)
from .._common import CachedFixedParams, owner_of
from ._checks import fixed_ints
from .process import GradedReluVec, GradedVec

__all__ = ["PyGradedVecModelFixed", "PyGradedReluVecModelFixed", "PyGradedVecModelFloat",
           "PyGradedReluVecModelFloat"]


def _scalar(x):
    return np.asarray(x).reshape(-1)[0].item()


class AbstractPyGradedModelFixed(CachedFixedParams, PyLoihiProcessModel):
    """Fixed point: ``v`` int32, ``vth`` 24-bit unsigned, payloads 24-bit
    signed (a payload outside raises ``ValueError``: the chip cannot send it)."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    relu = False

    def check_inits(self, owner, proc) -> None:
        fixed_ints(owner, vth=proc.vth.init)

    def compute_params(self, owner) -> int:
        """``vth``, validated."""
        vth = int(_scalar(self.vth))
        if not 0 <= vth <= ng.GRADED_VTH_MAX:
            raise ValueError(f"{owner}: fixed-point parameter 'vth' must lie in "
                             f"0..{ng.GRADED_VTH_MAX}, got {vth}")
        return vth

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        v, s = ng.graded_fixed_step(self.v, a_in, self.fixed_params(), self.relu)
        ng.check_payloads(owner_of(self), s, self.time_step)
        self.v[:] = v
        self.s_out.send(s)


class AbstractPyGradedModelFloat(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    vth: np.ndarray = LavaPyType(np.ndarray, float)
    exp: np.ndarray = LavaPyType(np.ndarray, np.int32)

    relu = False

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        v, s = ng.graded_float_step(self.v, a_in, float(_scalar(self.vth)), self.relu)
        self.v[:] = v
        self.s_out.send(s)


@implements(proc=GradedVec, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyGradedVecModelFixed(AbstractPyGradedModelFixed):
    """GradedVec, fixed point: spike where ``|v| > vth``."""


@implements(proc=GradedReluVec, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyGradedReluVecModelFixed(AbstractPyGradedModelFixed):
    """GradedReluVec, fixed point: spike where ``v > vth``."""

    relu = True


@implements(proc=GradedVec, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyGradedVecModelFloat(AbstractPyGradedModelFloat):
    """GradedVec in floating point."""


@implements(proc=GradedReluVec, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyGradedReluVecModelFloat(AbstractPyGradedModelFloat):
    """GradedReluVec in floating point."""

    relu = True
