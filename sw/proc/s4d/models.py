"""CPU ProcessModels of S4d, SigmaS4dDelta (floating point, as lava-nc
0.10's ``S4dModel`` / ``PySigmaS4dDeltaModelFloat``) and the hierarchical
model of SigmaS4dDeltaLayer. The arithmetic is in :mod:`kilauea.numerics.s4d`.
"""
from __future__ import annotations

import numpy as np

from ...core.model import AbstractSubProcessModel
from ...numerics import s4d as ns4
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel, PyOutPort,
                    implements, requires, tag)
from ..sdn.models import AbstractSigmaDeltaModelFloat
from ..sparse.process import Sparse
from .process import S4d, SigmaS4dDelta, SigmaS4dDeltaLayer

__all__ = ["S4dModel", "PySigmaS4dDeltaModelFloat", "SubDenseLayerModel"]


def _scalar(x):
    return np.asarray(x).reshape(-1)[0].item()


@implements(proc=S4d, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class S4dModel(PyLoihiProcessModel):
    """S4d in floating point: complex state, sends the real part of
    ``2 * c * state``."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    s4_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    inp_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    s4_state: np.ndarray = LavaPyType(np.ndarray, complex)
    a: np.ndarray = LavaPyType(np.ndarray, complex)
    b: np.ndarray = LavaPyType(np.ndarray, complex)
    c: np.ndarray = LavaPyType(np.ndarray, complex)

    def run_spk(self) -> None:
        state, out = ns4.s4d_step(self.s4_state, self.a_in.recv(), self.a, self.b, self.c)
        self.s4_state[:] = state
        self.s_out.send(out)


@implements(proc=SigmaS4dDelta, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySigmaS4dDeltaModelFloat(AbstractSigmaDeltaModelFloat):
    """SigmaS4dDelta in floating point: SigmaDelta's Vars and types plus the
    S4D ones (``a``, ``b``, ``c`` real: their real parts, as lava-nc's float
    Vars hold them)."""

    s4_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    s4_state: np.ndarray = LavaPyType(np.ndarray, float)
    a: np.ndarray = LavaPyType(np.ndarray, float)
    b: np.ndarray = LavaPyType(np.ndarray, float)
    c: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        out = ns4.sigma_s4d_delta_float_step(
            self.sigma, self.s4_state, self.act, self.residue, self.error, self.a_in.recv(),
            self.a, self.b, self.c, float(_scalar(self.vth)), bool(_scalar(self.cum_error)))
        for name, value in zip(("sigma", "s4_state", "act", "residue", "error"), out):
            getattr(self, name)[:] = value
        self.s_out.send(out[-1])


@implements(proc=SigmaS4dDeltaLayer, protocol=LoihiProtocol)
class SubDenseLayerModel(AbstractSubProcessModel):
    """SigmaS4dDeltaLayer as ``Sparse -> SigmaS4dDelta -> Sparse``; the
    layer's ``a``, ``b``, ``c``, ``s4_state`` alias the neurons'."""

    def __init__(self, proc) -> None:
        p = proc.proc_params
        weights, n = p["conn_weights"], p["shape"][0] * p["d_states"]
        self.sparse1 = Sparse(weights=weights.T, weight_exp=p["state_exp"],
                              num_message_bits=p["num_message_bits"])
        self.sigma_S4d_delta = SigmaS4dDelta(shape=(n,), vth=p["vth"],
                                             state_exp=p["state_exp"], s4_exp=p["s4_exp"],
                                             a=p["a"], b=p["b"], c=p["c"])
        self.sparse2 = Sparse(weights=weights, weight_exp=p["state_exp"],
                              num_message_bits=p["num_message_bits"])
        proc.in_ports.s_in.connect(self.sparse1.in_ports.s_in)
        self.sparse1.out_ports.a_out.connect(self.sigma_S4d_delta.in_ports.a_in)
        self.sigma_S4d_delta.out_ports.s_out.connect(self.sparse2.s_in)
        self.sparse2.out_ports.a_out.connect(proc.out_ports.a_out)
        for name in ("a", "b", "c", "s4_state"):
            getattr(proc.vars, name).alias(getattr(self.sigma_S4d_delta.vars, name))
