"""The neuron engine's program prefetcher: where the next compartment's
program starts, found while the current one runs.

A request on `request` (a compartment index) reads that compartment's PARAM
header (its profile index and accumulator row base), then the profile's PROFILE header (its entry
address in UCODE), through two read ports of their own. Three cycles after
the request, `next` is valid with the entry address, the profile, the row base and `skip`:
set when the profile index is >= n_profiles or the entry is >= n_ucode (the
engine then runs nothing for that compartment; see `neuron_engine.py`).

`request.ready` is always high: send a request only while none is in flight
and `next` is empty (the sequencer requests the lane's next compartment when
one begins). `next` holds until taken (`next.ready`); `flush` empties it.

The two ports are the lane's execute read ports too: `en` high on a port
means the prefetcher drives its address this cycle. Requests come only in
cycles the lane does not load from PARAM (END, or before the first
instruction); the PROFILE read waits while `profile_busy` (an LDC in
execute), which makes the `next` valid later than 3 cycles.
"""
from __future__ import annotations

from amaranth.hdl import Module, Signal, unsigned
from amaranth.lib import data, enum, memory, stream, wiring
from amaranth.lib.wiring import In, Out

from .. import isa
from ..params import ChipParams
from . import compartment_memory as cm

__all__ = ["addr_bits", "param_header_layout", "profile_header_layout", "next_program_layout",
           "ProgramPrefetcher"]

WORD_BITS = isa.WORD_BITS      # PARAM and PROFILE words


def param_header_layout() -> data.StructLayout:
    """PARAM word 0 of a compartment (`compartment_memory.PARAM_HEADER`): its
    profile index and accumulator row base (other bits 0)."""
    used = cm.PROFILE_FIELD_BITS + cm.ACC_ROW_FIELD_BITS
    return data.StructLayout({"profile": unsigned(cm.PROFILE_FIELD_BITS),
                              "acc_row": unsigned(cm.ACC_ROW_FIELD_BITS),
                              "reserved": unsigned(WORD_BITS - used)})


def profile_header_layout() -> data.StructLayout:
    """PROFILE word 0 of a profile: its program's entry address in UCODE."""
    return data.StructLayout({"entry": unsigned(cm.ENTRY_BITS),
                              "reserved": unsigned(WORD_BITS - cm.ENTRY_BITS)})


def next_program_layout(params: ChipParams) -> data.StructLayout:
    """What the prefetcher hands the sequencer: entry address (ucode_addr_bits),
    profile index (profile_bits), accumulator row base (acc_row_bits: the
    header's, wrapped) and whether the compartment is skipped."""
    return data.StructLayout({"entry": unsigned(params.ucode_addr_bits),
                              "profile": unsigned(cm.profile_bits(params)),
                              "acc_row": unsigned(params.acc_row_bits),
                              "skip": 1})


class _Stage(enum.Enum, shape=2):
    IDLE = 0
    PARAM = 1       # the PARAM header is on the read port
    PROFILE = 2     # the PROFILE header is on the read port
    WAIT = 3        # the PROFILE port was busy: its address still to give


class ProgramPrefetcher(wiring.Component):
    """Prefetch of a compartment's profile and entry (see the module docstring).

    request       In(stream(compartment index))
    next          Out(stream(next_program_layout))
    flush         In(1)    empty `next` (start of a step)
    profile_busy  In(1)    the PROFILE port is taken this cycle
    param_port    read port on PARAM (32-bit words; `en`: address driven)
    profile_port  read port on PROFILE (`en`: address driven)
    """

    def __init__(self, params: ChipParams):
        self.params = params
        depths = cm.memory_depths(params)
        port = memory.ReadPort.Signature
        super().__init__({
            "request": In(stream.Signature(unsigned(params.compartment_bits))),
            "next": Out(stream.Signature(next_program_layout(params))),
            "flush": In(1),
            "profile_busy": In(1),
            "param_port": In(port(addr_width=addr_bits(depths["param"]), shape=WORD_BITS)),
            "profile_port": In(port(addr_width=addr_bits(depths["profile"]),
                                    shape=WORD_BITS)),
        })

    def elaborate(self, platform):
        p = self.params
        m = Module()
        stage = Signal(_Stage)
        profile = Signal(cm.profile_bits(p))
        acc_row = Signal(p.acc_row_bits)
        bad_profile = Signal()
        pa, pr = self.param_port, self.profile_port
        # `en` (init 1 in the port signature) marks the cycles the address is driven
        m.d.comb += [self.request.ready.eq(1), pa.en.eq(0), pr.en.eq(0)]

        with m.If(self.request.valid):
            m.d.comb += [pa.addr.eq(self.request.payload * cm.PARAM_WORDS), pa.en.eq(1)]
            m.d.sync += stage.eq(_Stage.PARAM)

        header = param_header_layout()(pa.data)
        index = Signal(cm.profile_bits(p))          # the profile index, truncated
        m.d.comb += index.eq(header.profile)
        entry = profile_header_layout()(pr.data).entry
        nxt = self.next
        with m.Switch(stage):
            with m.Case(_Stage.PARAM):
                m.d.sync += [profile.eq(index), acc_row.eq(header.acc_row),
                             bad_profile.eq(header.profile >= p.n_profiles)]
                with m.If(self.profile_busy):
                    m.d.sync += stage.eq(_Stage.WAIT)
                with m.Else():
                    m.d.comb += [pr.addr.eq(index * cm.PROFILE_WORDS), pr.en.eq(1)]
                    m.d.sync += stage.eq(_Stage.PROFILE)
            with m.Case(_Stage.WAIT):
                with m.If(~self.profile_busy):
                    m.d.comb += [pr.addr.eq(profile * cm.PROFILE_WORDS), pr.en.eq(1)]
                    m.d.sync += stage.eq(_Stage.PROFILE)
            with m.Case(_Stage.PROFILE):
                # a profile index >= n_profiles or an entry >= n_ucode: skip it
                m.d.sync += [nxt.payload.entry.eq(entry), nxt.payload.profile.eq(profile),
                             nxt.payload.acc_row.eq(acc_row),
                             nxt.payload.skip.eq(bad_profile | (entry >= p.n_ucode)),
                             nxt.valid.eq(1), stage.eq(_Stage.IDLE)]
        with m.If(nxt.ready | self.flush):
            m.d.sync += nxt.valid.eq(0)
        return m


def addr_bits(depth: int) -> int:
    """Address bits of a memory of `depth` words (as `amaranth.lib.memory`)."""
    return max(0, (depth - 1).bit_length())
