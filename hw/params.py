"""Chip parameters: the shape of one kilauea chip.

One frozen dataclass, `ChipParams`, holds every size the RTL, the compiler, the
golden model and the tests must agree on. Defaults are the chip brief's; tests
use smaller chips by overriding fields. Derived widths (address bits and so on)
are properties so they can never disagree with the sizes they come from.
"""
from __future__ import annotations

from dataclasses import dataclass, replace

from . import packet

__all__ = ["ChipParams", "DEFAULT"]


def _bits_for(n: int) -> int:
    """Bits needed to index `n` items (at least 1)."""
    return max(1, (n - 1).bit_length())


@dataclass(frozen=True)
class ChipParams:
    """Sizes of one chip. All capacities are per neurocore (per tile).

    Attributes
    ----------
    mesh_w, mesh_h : tiles in x and y (1..16 each; the packet's tile address
        fields are 4 bits).
    n_compartments : compartments per core.
    n_synapses : synapse memory words per core.
    n_axons : input axon table entries per core.
    n_fanout : fan-out table entries per core.
    n_ucode : microcode words per core (shared by all profiles).
    n_profiles : neuron profiles per core.
    n_delay_slots : dendritic accumulator ring slots (D).
    n_acc_groups : accumulator groups (input ports) a compartment may have
        (G: ACC g reads its group g, g < G).
    n_acc_rows : accumulator rows per delay slot (None: n_compartments). A
        compartment with k groups takes k consecutive rows from the row base
        in its PARAM header; synapses name a row. The ring holds
        D x 2^acc_row_bits words (docs/neurocore.md, "Accumulators").
    fifo_depth : router input FIFO depth, in flits.
    max_host_reads : outstanding host read requests the host port allows.
    n_lanes : neuron engine lanes (a power of two), each interleaving
        `isa.LANE_SLOTS` compartments with its own pipeline, ALU and
        divider; compartments go to the lanes in runs of LANE_SLOTS, so a
        step's neuron phase takes about 1 / n_lanes of the cycles of one
        lane (docs/neurocore.md, "Neuron engine").
    """

    mesh_w: int = 2
    mesh_h: int = 2
    n_compartments: int = 1024
    n_synapses: int = 65536
    n_axons: int = 4096
    n_fanout: int = 4096
    n_ucode: int = 256
    n_profiles: int = 16
    n_delay_slots: int = 16
    n_acc_groups: int = 4
    fifo_depth: int = 4
    max_host_reads: int = 8
    n_lanes: int = 4
    n_acc_rows: int | None = None

    def __post_init__(self) -> None:
        lim = 1 << packet.COORD_BITS
        for name in ("mesh_w", "mesh_h"):
            v = getattr(self, name)
            if not (1 <= v <= lim):
                raise ValueError(f"ChipParams.{name}={v}: must be in 1..{lim} "
                                 f"(tile coordinates are {packet.COORD_BITS} bits)")
        for name in ("n_compartments", "n_synapses", "n_axons", "n_fanout", "n_ucode",
                     "n_profiles", "n_delay_slots", "n_acc_groups", "fifo_depth",
                     "max_host_reads", "n_lanes"):
            v = getattr(self, name)
            if not isinstance(v, int) or v < 1:
                raise ValueError(f"ChipParams.{name}={v!r}: must be a positive integer")
        if self.n_acc_rows is not None and (not isinstance(self.n_acc_rows, int)
                                            or self.n_acc_rows < 1):
            raise ValueError(f"ChipParams.n_acc_rows={self.n_acc_rows!r}: must be a positive "
                             "integer (or None: n_compartments)")
        for name in ("n_delay_slots", "n_acc_groups", "n_lanes"):
            v = getattr(self, name)
            if v & (v - 1):
                raise ValueError(f"ChipParams.{name}={v}: must be a power of two")
        if self.n_delay_slots > (1 << packet.STEP_BITS):
            raise ValueError(f"ChipParams.n_delay_slots={self.n_delay_slots}: at most "
                             f"{1 << packet.STEP_BITS} (spikes carry the step mod {1 << packet.STEP_BITS})")
        if self.n_delay_slots < 2:
            raise ValueError("ChipParams.n_delay_slots must be at least 2")
        addr_lim = 1 << packet.ADDR_BITS
        for name, words in self.memory_words().items():
            if words > addr_lim:
                raise ValueError(f"ChipParams: memory {name} has {words} words, more than the "
                                 f"packet's {packet.ADDR_BITS}-bit address reaches ({addr_lim})")
        if self.max_host_reads > (1 << packet.TAG_BITS):
            raise ValueError(f"ChipParams.max_host_reads={self.max_host_reads}: "
                             f"at most {1 << packet.TAG_BITS} (read tags are {packet.TAG_BITS} bits)")

    # -- derived -----------------------------------------------------------
    @property
    def n_tiles(self) -> int:
        return self.mesh_w * self.mesh_h

    @property
    def max_delay(self) -> int:
        """Largest synaptic delay: a spike sent at step t lands in slot t+1+d,
        and the slot read at step t+1+d must never also be written in that
        step, so 1 + d <= D - 1."""
        return self.n_delay_slots - 2

    @property
    def compartment_bits(self) -> int:
        return _bits_for(self.n_compartments)

    @property
    def synapse_addr_bits(self) -> int:
        return _bits_for(self.n_synapses)

    @property
    def axon_bits(self) -> int:
        return _bits_for(self.n_axons)

    @property
    def fanout_addr_bits(self) -> int:
        return _bits_for(self.n_fanout)

    @property
    def ucode_addr_bits(self) -> int:
        return _bits_for(self.n_ucode)

    @property
    def lane_bits(self) -> int:
        """Bits of a neuron engine lane index (0 with one lane)."""
        return (self.n_lanes - 1).bit_length()

    @property
    def acc_rows(self) -> int:
        """Accumulator rows per slot: `n_acc_rows`, or n_compartments when None."""
        return self.n_compartments if self.n_acc_rows is None else self.n_acc_rows

    @property
    def acc_row_bits(self) -> int:
        """Bits of an accumulator row index (the ring is D x 2^acc_row_bits words)."""
        return _bits_for(self.acc_rows)

    @property
    def slot_bits(self) -> int:
        return _bits_for(self.n_delay_slots)

    @property
    def group_bits(self) -> int:
        return _bits_for(self.n_acc_groups)

    def memory_words(self) -> dict[str, int]:
        """Words of each addressable per-core memory (for range checks)."""
        return {
            "axon": self.n_axons,
            "synapse": self.n_synapses,
            "fanout": self.n_fanout,
            "ucode": self.n_ucode,
            "accumulator": self.n_delay_slots << self.acc_row_bits,
        }

    def tiles(self) -> list[tuple[int, int]]:
        """All tile coordinates (x, y), row-major from (0, 0)."""
        return [(x, y) for y in range(self.mesh_h) for x in range(self.mesh_w)]

    def with_(self, **changes) -> "ChipParams":
        return replace(self, **changes)


DEFAULT = ChipParams()
