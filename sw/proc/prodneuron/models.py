"""CPU ProcessModel of ProdNeuron (fixed point, as lava-nc 0.10's
``PyProdNeuronModelFixed``): int32 inputs, the product wrapping at 32 bits,
then ``>> exp`` (flooring). Arithmetic: :mod:`kilauea.numerics.vector_ops`.
"""
from __future__ import annotations

import numpy as np

from ...numerics import vector_ops as nv
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel, PyOutPort,
                    implements, requires, tag)
from .process import ProdNeuron

__all__ = ["PyProdNeuronModelFixed"]


@implements(proc=ProdNeuron, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyProdNeuronModelFixed(PyLoihiProcessModel):
    """ProdNeuron in fixed point."""

    a_in1: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_in2: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        _, s = nv.prod_neuron_step(self.a_in1.recv(), self.a_in2.recv(), self.vth, self.exp)
        self.s_out.send(s)
