"""CPU ProcessModels of NormVecDelay (fixed point) and InvSqrt (float and
fixed point), as lava-nc 0.10's ``NormVecDelayModel``,
``InvSqrtModelFloat`` and ``InvSqrtModelFP``, and the fixed-point helpers
lava-nc exposes in ``lava.proc.graded.models``. The arithmetic is in
:mod:`kilauea.numerics.vector_ops`.
"""
from __future__ import annotations

import numpy as np

from ...numerics import vector_ops as nv
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel, PyOutPort,
                    implements, requires, tag)
from .vector_process import InvSqrt, NormVecDelay

__all__ = ["NormVecDelayModel", "InvSqrtModelFloat", "InvSqrtModelFP", "make_fpinv_table",
           "clz", "inv_sqrt"]


def make_fpinv_table(fp_base: int) -> np.ndarray:
    """The initial guesses of :func:`inv_sqrt` (24 values, int64)."""
    return nv.make_fpinv_table(fp_base)


def clz(val: int) -> int:
    """Leading zeros of ``val`` in 24 bits."""
    return nv.clz(val)


def inv_sqrt(s_fp, n_iters: int = 5, b_fraction: int = 12):
    """Fixed-point ``1 / sqrt(s_fp)`` in units of ``2**-b_fraction``."""
    return nv.inv_sqrt(s_fp, n_iters, b_fraction)


@implements(proc=NormVecDelay, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class NormVecDelayModel(PyLoihiProcessModel):
    """NormVecDelay in fixed point: int32 inputs, products wrapping at 32
    bits; ``v`` holds the last ``a_in1``, ``v2`` the one before."""

    a_in1: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_in2: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    s2_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v2: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        x1, x2 = self.a_in1.recv(), self.a_in2.recv()
        prev = self.v
        v, s, s2 = nv.norm_vec_delay_step(prev, x1, x2, self.vth)
        self.s2_out.send(s2)
        self.v2 = prev
        self.v = v
        self.s_out.send(s)


@implements(proc=InvSqrt, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class InvSqrtModelFloat(PyLoihiProcessModel):
    """InvSqrt in floating point: ``1 / a_in ** 0.5``."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    fp_base: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        with np.errstate(divide="ignore", invalid="ignore"):
            self.s_out.send(1 / self.a_in.recv() ** 0.5)


@implements(proc=InvSqrt, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class InvSqrtModelFP(PyLoihiProcessModel):
    """InvSqrt in fixed point (base 12, five Newton steps): all-zero input
    sends zeros; otherwise every element must be > 0 (lava-nc handles one
    element; this model the same on each element)."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    fp_base: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        if not np.any(a_in):
            self.s_out.send(0 * a_in)
            return
        self.s_out.send(np.asarray(nv.inv_sqrt(a_in, 5)).reshape(np.shape(a_in)))
