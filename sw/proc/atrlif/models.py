"""CPU ProcessModels of ATRLIF: ``floating_pt`` and ``fixed_pt`` (also
tagged ``bit_accurate_loihi``, as lava-nc's), computing what lava-nc 0.10's
``PyATRLIFModelFloat`` / ``PyATRLIFModelFixed`` compute. The arithmetic is in
:mod:`kilauea.numerics.atrlif`; the models move data in and out.
"""
from __future__ import annotations

import numpy as np

from ...numerics import atrlif as na
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel, PyOutPort,
                    implements, requires, tag)
from .process import ATRLIF

__all__ = ["PyATRLIFModelFloat", "PyATRLIFModelFixed"]


def _scalar(x):
    return np.asarray(x).reshape(-1)[0].item()


class _AtrlifState:
    def state(self) -> na.AtrlifState:
        return na.AtrlifState(self.i, self.v, self.theta, self.r, self.s)

    def store(self, st: na.AtrlifState) -> None:
        self.i[:] = st.i
        self.v[:] = st.v
        self.theta[:] = st.theta
        self.r[:] = st.r
        self.s[:] = st.s


@implements(proc=ATRLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyATRLIFModelFloat(_AtrlifState, PyLoihiProcessModel):
    """ATRLIF in floating point (``bias_exp`` ignored)."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    i: np.ndarray = LavaPyType(np.ndarray, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    theta: np.ndarray = LavaPyType(np.ndarray, float)
    r: np.ndarray = LavaPyType(np.ndarray, float)
    s: np.ndarray = LavaPyType(np.ndarray, bool)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, float)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, float)
    delta_i: float = LavaPyType(float, float)
    delta_v: float = LavaPyType(float, float)
    delta_theta: float = LavaPyType(float, float)
    delta_r: float = LavaPyType(float, float)
    theta_0: float = LavaPyType(float, float)
    theta_step: float = LavaPyType(float, float)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        st = na.atrlif_float_step(
            self.state(), a_in, *(_scalar(getattr(self, k)) for k in (
                "delta_i", "delta_v", "delta_theta", "delta_r", "theta_0", "theta_step")),
            self.bias_mant)
        self.store(st)
        self.s_out.send(st.s)


@implements(proc=ATRLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyATRLIFModelFixed(_AtrlifState, PyLoihiProcessModel):
    """ATRLIF in fixed point, as lava-nc's ``PyATRLIFModelFixed``: ``i``,
    ``v``, ``theta``, ``r`` int32 (``v`` clipped to 24 bits signed, ``i``
    wrapped once into 24 bits), ``bias_mant`` int16, ``bias_exp`` int16,
    input int16 (or the sender's wider type). Before the first step
    ``theta_0`` and ``theta_step`` become ``trunc(value * 64)`` (their Vars
    then read scaled, as in lava-nc) and every ``theta`` becomes
    ``theta_0``."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int16, precision=16)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    i: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    theta: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    r: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    s: np.ndarray = LavaPyType(np.ndarray, bool)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=13)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, np.int16, precision=3)
    delta_i: float = LavaPyType(float, float)
    delta_v: float = LavaPyType(float, float)
    delta_theta: float = LavaPyType(float, float)
    delta_r: float = LavaPyType(float, float)
    theta_0: float = LavaPyType(float, float)
    theta_step: float = LavaPyType(float, float)

    _scaled = False

    def _scale_threshold(self) -> None:
        theta_0 = na.scale_threshold(_scalar(self.theta_0))
        self.theta_0 = np.int32(theta_0)
        self.theta_step = np.int32(na.scale_threshold(_scalar(self.theta_step)))
        self.theta[:] = theta_0
        self._scaled = True

    def _arith(self) -> na.ProductArith:
        proc = getattr(self, "_process", None)
        raw = proc.delta_i.init if proc is not None else _scalar(self.delta_i)
        return na.product_arith(raw)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        if not self._scaled:
            self._scale_threshold()
        p = na.atrlif_fixed_params(
            _scalar(self.delta_i), _scalar(self.delta_v), _scalar(self.delta_theta),
            _scalar(self.delta_r), _scalar(self.theta_0), _scalar(self.theta_step),
            self.bias_mant, self.bias_exp, self._arith())
        st = na.atrlif_fixed_step(self.state(), a_in, p)
        self.store(st)
        self.s_out.send(st.s)
