"""CPU model of NoveltyDetector (as lava-nc 0.10's)."""
from __future__ import annotations

import numpy as np

from ..._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel,
                     PyOutPort, implements, requires, tag)
from .process import NoveltyDetector


@implements(proc=NoveltyDetector, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt", "bit_accurate_loihi")
class PyNoveltyDetectorModel(PyLoihiProcessModel):
    """Each step: an input (re)starts the wait; an output ends it; with neither,
    a wait that has lasted more than ``t_wait`` steps is a novelty (sent this step).
    A running wait counts one step."""

    input_aval_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    output_aval_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    novelty_detected_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)
    t_wait: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=32)

    def __init__(self, proc_params) -> None:
        super().__init__(proc_params)
        self.waiting = False
        self.t_passed = 0

    def run_spk(self) -> None:
        novelty = False
        if np.any(self.input_aval_in.recv() != 0):
            self.waiting, self.t_passed = True, 0
        if np.any(self.output_aval_in.recv() != 0):
            self.waiting, self.t_passed = False, 0
        elif self.t_passed > int(np.asarray(self.t_wait).reshape(-1)[0]):
            novelty, self.waiting, self.t_passed = True, False, 0
        if self.waiting:
            self.t_passed += 1
        self.novelty_detected_out.send(np.array([1 if novelty else 0]))
