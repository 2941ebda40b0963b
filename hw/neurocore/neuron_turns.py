"""The turns a lane's slot spends on an instruction: the numbers of the
interleaved lane's pipeline (`neuron_lane.py`) that its cost model needs.

A slot's turn comes every K = `isa.LANE_SLOTS` cycles; its instruction goes
down `STAGES` stages (F = 0 .. W = 7) and completes at W, or changes nothing
and runs again in the slot's next turn. An answer from outside the lane is
taken at W when it is in by then, else in a later turn: the divider's
remainder when it is in by W, the core's accumulator read when it is in by
X4 (the lane registers whether it is, `neuron_lane_acc.AccQueue`).
`NeuronProgram.cycles` and the tests' slot model use these.
"""
from __future__ import annotations

from .. import isa
from ..isa import Opcode
from .neuron_join import ACC_ANSWER_DELAY

__all__ = ["STAGES", "LAUNCH_TURNS", "acc_turns", "mod_turns"]

K = isa.LANE_SLOTS
STAGES = 8              # F, D, R, X1, X2, X3, X4, W
W_STAGE = STAGES - 1
ACC_REQUEST_STAGE = 3   # an ACC's request is valid from X1 on
DIV_REQUEST_STAGE = 3   # a MOD's request goes to the divider in X1
#: turns of a compartment besides its instructions: its PROFILE header's
LAUNCH_TURNS = 1
assert K >= STAGES, "a slot's next instruction must enter after its last has left"


def _turns(ready: int, by: int = W_STAGE) -> int:
    """Turns of an instruction whose answer is in `ready` cycles after its
    turn began, taken at W when it was in by stage `by` of a turn."""
    return 1 + max(0, -(-(ready - by) // K))


def acc_turns(acc_latency: int) -> int:
    """Turns of an ACC when the core answers `acc_latency` cycles after
    taking its request and no other lane's request goes first (the engine
    registers the answer once more, `ACC_ANSWER_DELAY`)."""
    return _turns(ACC_REQUEST_STAGE + acc_latency + ACC_ANSWER_DELAY, by=W_STAGE - 1)


def mod_turns(dividend: int, divisor: int) -> int:
    """Turns of a MOD with a free divider (its latency: `neuron_divider.py`;
    the lane registers the answer once)."""
    latency = 1 if dividend == 0 or divisor == 0 else 3 + abs(dividend).bit_length()
    return _turns(DIV_REQUEST_STAGE + latency + 1)


assert mod_turns(-(1 << (isa.WORD_BITS - 1)), 1) == isa.OPINFO[Opcode.MOD].turns
