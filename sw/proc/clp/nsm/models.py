"""CPU models of Readout and Allocator (as lava-nc 0.10's)."""
from __future__ import annotations

import numpy as np

from ..._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel,
                     PyOutPort, implements, requires, tag)
from .process import Allocator, Readout


@implements(proc=Readout, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyReadoutModel(PyLoihiProcessModel):
    """Readout's step (see the process)."""

    inference_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    label_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    user_output: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    trigger_alloc: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    feedback: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    proto_labels: np.ndarray = LavaPyType(np.ndarray, np.int32)
    last_winner_id: np.ndarray = LavaPyType(np.ndarray, np.int32)

    def run_spk(self) -> None:
        output = np.asarray(self.inference_in.recv())
        user_label = np.asarray(self.label_in.recv()).reshape(-1)[0]
        inferred, check, trigger = 0, 0, False
        if output.any():
            winner = int(np.flatnonzero(output)[0])
            self.last_winner_id = winner
            if self.proto_labels[winner] == 0:
                self.proto_labels[winner] = -(winner + 1)
            inferred = self.proto_labels[winner]
        if user_label != 0:
            last = self.proto_labels[self.last_winner_id]
            if np.all(last > 0):
                check = 1 if np.all(last == user_label) else -1
                trigger = check < 0
            elif np.all(last < 0):
                self.proto_labels[self.last_winner_id] = user_label
                inferred = user_label
        self.user_output.send(np.array([inferred]))
        self.feedback.send(np.array([check]))
        self.trigger_alloc.send(np.array([1 if trigger else 0]))


@implements(proc=Allocator, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyAllocatorModel(PyLoihiProcessModel):
    """Allocator's step (see the process)."""

    trigger_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    allocate_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    next_alloc_id: np.ndarray = LavaPyType(np.ndarray, np.int32)
    n_protos: np.ndarray = LavaPyType(np.ndarray, np.int32)

    def run_spk(self) -> None:
        signal = np.zeros(self.allocate_out.shape, dtype=np.int32)
        if np.asarray(self.trigger_in.recv()).reshape(-1)[0]:
            signal[0] = np.asarray(self.next_alloc_id).reshape(-1)[0]
            self.next_alloc_id = self.next_alloc_id + 1
        self.allocate_out.send(signal)
