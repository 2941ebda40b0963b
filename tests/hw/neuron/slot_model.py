"""The cycles of a neuron phase predicted from the lane's pipeline
(`neuron_lane.py`), independently of the RTL: slot j of lane i takes
compartments K i + j + K L m; a slot's turns come every K cycles, its
first (j + i) mod K cycles after `start`; an END retires in W of its turn,
no earlier than the cycle after the compartment before it retired."""
from __future__ import annotations

from kilauea.hw import isa
from kilauea.hw.neurocore.neuron_turns import LAUNCH_TURNS, STAGES

K = isa.LANE_SLOTS
W = STAGES - 1


def phase_cycles(turns: list[int], n_lanes: int) -> int:
    """Cycles from `start` until busy falls when compartment c's program
    takes turns[c] turns of its slot (END included) and no instruction
    waits except END for its predecessor."""
    retired = -1                    # cycle the previous compartment retired
    last_w: dict[tuple[int, int], int] = {}     # (lane, slot) -> its last END's W
    for c, t in enumerate(turns):
        key = ((c // K) % n_lanes, c % K)
        if key in last_w:           # its PARAM header was read in that END's turn
            first_f = last_w[key] + 1 + K * LAUNCH_TURNS
        else:                       # a turn for the PARAM header, then the PROFILE header
            first_f = (key[1] + key[0]) % K + K * (1 + LAUNCH_TURNS)
        ready = first_f + K * (t - 1) + W       # W of the END's first turn
        wait = max(0, retired + 1 - ready)
        retired = ready + K * -(-wait // K)
        last_w[key] = retired
    return retired + 1 if turns else 1
