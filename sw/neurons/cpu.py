"""A CPU model generated from a neuron program: `ProgramRunner`.

It runs the program's microcode for a population of `n` neurons with the
golden interpreter (`kilauea.sim.golden.neuron`), on the same word images
the chip holds, one step at a time with Lava's `a_in` as input. A CPU
`fixed_pt` ProcessModel built on it executes the very description the
compiler puts on the chip, so the two cannot drift apart::

    run = ProgramRunner(neurons.graded_vec(), n=10, values=dict(vth=5))
    s_out = run.step(time_step, a_in)        # int64 [n]: payloads, 0 = no spike
    v = run.get("v")

`a_in` is the summed input of the step as Lava computes it (already shifted
by each Dense's weight_exp), so the runner uses one accumulator group with
`weight_exp0 = 0`; values are wrapped to int32 as in Lava.
"""
from __future__ import annotations

import numpy as np

from ..hw.neurocore import compartment_memory as cm
from ..hw.words import to_s32
from ..sim.golden.neuron import run_neuron_phase
from .builder import NeuronProgram, WordSpace, link, weight_exp_name

__all__ = ["ProgramRunner"]


class ProgramRunner:
    """Steps `n` neurons of a single-group `program` on the CPU."""

    def __init__(self, program: NeuronProgram, n: int, values: dict | None = None):
        if program.n_groups != 1:
            raise ValueError(f"{program.name}: a CPU runner takes the summed a_in; build the "
                             f"program with n_groups=1 (it has {program.n_groups})")
        values = dict(values or {})
        if values.get(weight_exp_name(0), 0) != 0:
            raise ValueError(f"{program.name}: {weight_exp_name(0)} must be 0 on the CPU "
                             "(Dense applies weight_exp before a_in)")
        self.program = program
        self.n = n
        self.ucode, (entry,) = link([program], len(program))
        prof, self.param, self.state = program.images(n, values, profile=0, entry=entry)
        self.profile = prof

    def step(self, time_step: int, a_in) -> np.ndarray:
        """Run step `time_step` with input `a_in` (int [n]); returns the
        payload of each neuron's spike (binary spikes: 1), 0 where none."""
        a = np.asarray(a_in, dtype=np.int64).reshape(1, self.n)
        r = run_neuron_phase(self.ucode, self.profile, self.param, self.state, time_step,
                             a, self.n, n_groups=1)
        self.state = r.state
        out = np.zeros(self.n, dtype=np.int64)
        out[r.spike_compartments] = r.spike_payloads
        return out

    def get(self, name: str) -> np.ndarray:
        """Current values of a state word or parameter (int64 [n]), or a
        profile constant (int64 scalar array)."""
        ref = self.program.word(name)
        i = ref.index
        if ref.space == WordSpace.STATE:
            return to_s32(self.state.reshape(self.n, cm.STATE_WORDS)[:, i])
        if ref.space == WordSpace.PARAM:
            return to_s32(self.param.reshape(self.n, cm.PARAM_WORDS)[:, i])
        return to_s32(np.asarray(self.profile[i]))

    def set(self, name: str, value) -> None:
        """Set a state word or parameter (scalar or [n]) or a profile constant."""
        ref = self.program.word(name)
        mem, i = ref.space, ref.index
        d = self.program.decls(mem)[name]
        v = np.asarray(value, dtype=np.int64)
        if np.any((v < d.lo) | (v > d.hi)):
            raise ValueError(f"{self.program.name}: {name} outside {d.lo}..{d.hi}")
        if mem is WordSpace.STATE:
            self.state.reshape(self.n, cm.STATE_WORDS)[:, i] = v
        elif mem is WordSpace.PARAM:
            self.param.reshape(self.n, cm.PARAM_WORDS)[:, i] = v
        else:
            if v.ndim:
                raise ValueError(f"{self.program.name}: {name} is shared by the population "
                                 "(a scalar)")
            self.profile[i] = v
