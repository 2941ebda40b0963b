"""CPU ProcessModel of Monitor.

The Monitor's ports and recording Vars are created by ``probe()``, so their
names are not known to the model class: the runtime builds them with its
default types (float VEC_DENSE ports, float64 recordings; fixed-point
values up to 2**53 are exact in float64).
"""
from __future__ import annotations

import numpy as np

from .._api import (PyLoihiProcessModel, implements, requires, CPU,
                    LoihiProtocol)
from .process import Monitor


@implements(proc=Monitor, protocol=LoihiProtocol)
@requires(CPU)
class PyMonitorModel(PyLoihiProcessModel):
    """Records probed OutPorts in the spk phase (what they sent this step)
    and probed Vars in the post-management phase (their value after the
    step's update). Row ``t - 1`` of a recording is step ``t``; steps beyond
    the recording's length are received but not stored."""

    #: its management phase only reads (the chip runtime may batch steps)
    mgmt_reads_only = True

    def post_guard(self) -> bool:
        return self.proc_params["n_ref_ports"] > 0

    def run_spk(self) -> None:
        t = self.time_step
        params = self.proc_params
        for port_name, var_name in zip(params["InPorts"], params["VarsData2"]):
            data = getattr(self, port_name).recv()   # always drain the port
            buf = getattr(self, var_name)
            if t <= buf.shape[0]:
                buf[t - 1] = data

    def run_post_mgmt(self) -> None:
        t = self.time_step
        params = self.proc_params
        for port_name, var_name in zip(params["RefPorts"], params["VarsData1"]):
            buf = getattr(self, var_name)
            if t <= buf.shape[0]:
                buf[t - 1] = np.asarray(getattr(self, port_name).read())
