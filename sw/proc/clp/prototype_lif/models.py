"""CPU model of PrototypeLIF (fixed point, bit-accurate with lava-nc 0.10)."""
from __future__ import annotations

import numpy as np

from .... import numerics as nx
from ...lif.models import AbstractPyLifModelFixed
from ...plastic.neuron_models import LearningNeuronModelFixed
from ..._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyOutPort, implements,
                     requires, tag)
from .process import PrototypeLIF

#: The y1 trace of a neuron told to learn (the largest 7-bit trace: one-shot).
ONE_SHOT_Y1 = 127


@implements(proc=PrototypeLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PrototypeLIFBitAcc(LearningNeuronModelFixed, AbstractPyLifModelFixed):
    """Each step: LIF's sub-threshold update (u, v); neurons with ``reset_in > 0``
    get ``u = v = 0``; if the third factor's first element is an id ``k > 0``, neuron
    ``k - 1`` sends a back-propagated spike on ``s_out_bap``, its y1 becomes 127 (the
    others' 0) and the step's output spikes are that neuron alone; otherwise a neuron
    spikes when ``v > vth << 6``. ``s_out``, ``s_out_bap`` and ``y1`` (on ``s_out_y1``)
    are sent, then the voltage of the spiking neurons is reset to 0."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    reset_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=1)
    vth: int = LavaPyType(int, np.int32, precision=17)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.s_out_buff = np.zeros(proc_params["shape"])

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        third = np.asarray(self.a_third_factor_in.recv()).astype(np.int32)
        reset = np.asarray(self.reset_in.recv()) > 0
        du, dv, bias, vth = self.fixed_params()
        # a threshold above the largest voltage: the sub-threshold update only
        u, v, _ = nx.lif_fixed_step(self.u, self.v, a_in, du, dv, bias, nx.V_LIMIT)
        u[reset] = 0
        v[reset] = 0
        bap = np.zeros(self.s_out_bap.shape, dtype=bool)
        if third[0] != 0:
            bap[third[0] - 1] = True
        spikes = v > vth
        if bap.any():
            self.y1 = bap * ONE_SHOT_Y1
            spikes = bap.copy()
        self.s_out_buff = spikes
        self.s_out.send(spikes)
        self.s_out_bap.send(bap)
        self.s_out_y1.send(self.y1)
        v[spikes] = 0
        self.store_uv(u, v)
