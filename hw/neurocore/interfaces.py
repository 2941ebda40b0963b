"""Interfaces between the neurocore's engines (the contract between the core
top, which owns the accumulators and the fan-out engine, and the neuron
engine, which owns the microcode, profiles and compartment memories).

The neuron engine runs once per step. For each compartment it executes the
compartment's profile program; an accumulator read in that program is a
request on `acc_req` that the core answers on `acc_resp` with the value of
accumulator (slot = step mod D, row), which it clears. A spike
is a transfer on `spike` that the fan-out engine turns into packets.
"""
from __future__ import annotations

from amaranth.hdl import signed, unsigned
from amaranth.lib import data, stream, wiring
from amaranth.lib.wiring import In, Out

from .. import packet
from ..memory_map import MemBus
from ..params import ChipParams

__all__ = ["ACC_BITS", "acc_req_layout", "spike_out_layout", "phase_members",
           "NeuronEngineSignature"]

ACC_BITS = 32   # dendritic accumulator width (two's complement, wraps like Lava's int32)


def acc_req_layout(params: ChipParams) -> data.StructLayout:
    """A read-and-clear request for one accumulator row of the current
    step's slot (the compartment's row base + the ACC's group, wrapped to
    acc_row_bits)."""
    return data.StructLayout({"row": unsigned(params.acc_row_bits)})


def spike_out_layout(params: ChipParams) -> data.StructLayout:
    """A spike from the neuron engine: compartment index and payload (binary
    spikes carry 1; graded spikes their 24-bit signed value)."""
    return data.StructLayout({
        "compartment": unsigned(params.compartment_bits),
        "payload": signed(packet.PAYLOAD_BITS),
    })


def phase_members(params: ChipParams) -> dict:
    """The members the engine and each of its lanes share (seen from the
    engine): start, step, n_compartments, busy,
    acc_req, acc_resp, spike, updates, error (see `NeuronEngineSignature`)."""
    return {
        "start": In(1),
        "step": In(32),
        "n_compartments": In(params.compartment_bits + 1),
        "busy": Out(1),
        "acc_req": Out(stream.Signature(acc_req_layout(params))),
        "acc_resp": In(stream.Signature(signed(ACC_BITS))),
        "spike": Out(stream.Signature(spike_out_layout(params))),
        "updates": Out(1),
        "error": Out(1),
    }


class NeuronEngineSignature(wiring.Signature):
    """The neuron engine, seen from the engine itself.

    start     In(1)   one-cycle pulse: run the neuron phase of step `step`
    step      In(32)  the time step t (counts from 1), stable while busy
    n_compartments In  compartments to update (0..n_compartments-1), from CONFIG
    busy      Out(1)  high from the cycle after `start` until every compartment
                      is done and the last spike was accepted on `spike`
    acc_req   Out(stream)  read-and-clear request (accumulator row)
    acc_resp  In(stream)   its answer, signed(ACC_BITS), one per request, in order
    spike     Out(stream)  spikes for the fan-out engine
    updates   Out(1)  one-cycle pulse per compartment update (for the counters)
    error     Out(1)  one-cycle pulse on an undefined opcode (the core counts it)
    state_bus, param_bus, profile_bus, ucode_bus  In(MemBus)  host access to the
                      engine's memories (used only in a cycle after one in
                      which the engine was neither busy nor started)
    """

    def __init__(self, params: ChipParams):
        super().__init__({
            **phase_members(params),
            "state_bus": In(MemBus()),
            "param_bus": In(MemBus()),
            "profile_bus": In(MemBus()),
            "ucode_bus": In(MemBus()),
        })
