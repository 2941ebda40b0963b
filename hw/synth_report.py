"""What `kilauea.hw.synth` reads out of yosys and nextpnr, as frozen dataclasses.

Parsers for the tools' outputs (yosys ``stat -json``, ``dump`` of the
``$mem_v2`` cells, ``ltp``; nextpnr-ecp5's log) and the table they end in.
They hold no tool runs: `kilauea.hw.synth` runs the tools and calls these.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

__all__ = ["MemoryShape", "GenericStats", "Ecp5Stats", "BlockReport", "PnrReport",
           "parse_memories", "parse_generic", "parse_ecp5", "parse_depth", "parse_fmax",
           "parse_utilisation", "dp16kd_range", "format_table"]

# yosys's fine-grained flip-flop and latch cells ($_DFF_P_, $_SDFFE_PP0P_,
# $_DFFSR_PNN_, $_ALDFF_PP_, ... and $_DLATCH_P_, $_DLATCHSR_...)
_FF_CELL = re.compile(r"^\$_(?:S?DFF|DFFE|SDFFC?E|DFFSRE?|ALDFFE?)_")
_LATCH_CELL = re.compile(r"^\$_DLATCH")
# coarse (word-level) flip-flops and latches, counted in bits
_COARSE_LATCH = re.compile(r"^\$(?:dlatch|adlatch|dlatchsr)$")


@dataclass(frozen=True)
class MemoryShape:
    """One inferred RAM (a yosys ``$mem_v2`` cell): `width` bits x `depth`
    words, with its read and write ports."""
    name: str
    width: int
    depth: int
    read_ports: int
    write_ports: int

    @property
    def bits(self) -> int:
        return self.width * self.depth


@dataclass(frozen=True)
class GenericStats:
    """After yosys's generic ``synth`` (memories kept as RAM, logic mapped to
    gates by abc): `cells` (gates, flip-flops and RAMs), `flip_flops` (bits),
    `latches` (bits), `memories`, and `depth`, the longest combinational
    path in gate levels (``ltp -noff``; None when the logic was not mapped
    to gates by abc)."""
    cells: int
    flip_flops: int
    latches: int
    memories: tuple[MemoryShape, ...]
    depth: int | None

    @property
    def memory_bits(self) -> int:
        return sum(m.bits for m in self.memories)


@dataclass(frozen=True)
class Ecp5Stats:
    """After ``synth_ecp5``: 4-input LUTs, flip-flops (TRELLIS_FF), 18 kbit
    block RAMs (DP16KD), distributed-RAM blocks (TRELLIS_DPR16X4, 16 x 4 bits
    each), carry cells (CCU2C, 2 bits each) and 18 x 18 multipliers (MULT18X18D).
    `lut4` is None when synthesis stopped before LUT mapping."""
    lut4: int | None
    ff: int
    dp16kd: int
    lutram: int
    carry: int
    mult18: int


@dataclass(frozen=True)
class BlockReport:
    """One block's synthesis: `block` names it (core, router, hostport, noc,
    chip); `ecp5` is None when ECP5 mapping was skipped."""
    block: str
    generic: GenericStats
    ecp5: Ecp5Stats | None


@dataclass(frozen=True)
class PnrReport:
    """nextpnr-ecp5 place-and-route of one design: the achieved Fmax of the
    clock (MHz), the target it was routed for (MHz), the device, and the
    share of the device's LUT4s, flip-flops and DP16KDs used (0..1)."""
    design: str
    device: str
    fmax_mhz: float
    target_mhz: float
    utilisation: dict[str, float]

    @property
    def met(self) -> bool:
        return self.fmax_mhz >= self.target_mhz


def _stat_design(stat_json: str) -> dict:
    """The whole-design totals of a yosys ``stat -json`` (the top module's
    counts when the design is flattened)."""
    doc = json.loads(stat_json)
    design = doc.get("design")
    if design is None:
        raise ValueError("yosys stat -json: no 'design' section")
    return design


def _by_type(design: dict) -> dict[str, int]:
    return {str(k): int(v) for k, v in design.get("num_cells_by_type", {}).items()}


_MEM_CELL = re.compile(r"^  cell \$mem_v2 (\S+)\n((?:    [^\n]*\n)*?)  end$", re.M)
_PARAM = re.compile(r"^    parameter \\(\w+) (\S+)$", re.M)


def parse_memories(dump: str) -> tuple[MemoryShape, ...]:
    """The ``$mem_v2`` cells of a yosys ``dump`` (RTLIL text), by name."""
    mems = []
    for m in _MEM_CELL.finditer(dump):
        params = dict(_PARAM.findall(m.group(2)))
        try:
            mems.append(MemoryShape(m.group(1).lstrip("\\"), int(params["WIDTH"]),
                                    int(params["SIZE"]), int(params["RD_PORTS"]),
                                    int(params["WR_PORTS"])))
        except KeyError as e:
            raise ValueError(f"yosys dump: memory {m.group(1)} has no parameter {e}") from None
    return tuple(sorted(mems, key=lambda s: s.name))


def parse_generic(stat_json: str, dump: str, ltp: str | None) -> GenericStats:
    """`GenericStats` from the gate-level ``stat -json``, the ``dump`` of the
    memories and the ``ltp`` output (None: no depth)."""
    design = _stat_design(stat_json)
    types = _by_type(design)
    ffs = sum(n for t, n in types.items() if _FF_CELL.match(t))
    latches = sum(n for t, n in types.items() if _LATCH_CELL.match(t) or _COARSE_LATCH.match(t))
    return GenericStats(int(design["num_cells"]), ffs, latches, parse_memories(dump),
                        None if ltp is None else parse_depth(ltp))


def parse_depth(ltp: str) -> int:
    """The length of yosys's ``ltp`` longest topological path."""
    found = re.findall(r"Longest topological path in \S+ \(length=(\d+)\)", ltp)
    if not found:
        raise ValueError("yosys ltp: no 'Longest topological path' line")
    return max(int(n) for n in found)


def parse_ecp5(stat_json: str, mapped: bool = True) -> Ecp5Stats:
    """`Ecp5Stats` from ``stat -json`` after ``synth_ecp5`` (`mapped`: run
    through LUT mapping, else the LUT4 count is None)."""
    types = _by_type(_stat_design(stat_json))
    return Ecp5Stats(types.get("LUT4", 0) if mapped else None, types.get("TRELLIS_FF", 0),
                     types.get("DP16KD", 0),
                     types.get("TRELLIS_DPR16X4", 0), types.get("CCU2C", 0),
                     types.get("MULT18X18D", 0))


_FMAX = re.compile(r"Max frequency for clock\s+'([^']+)':\s+([\d.]+) MHz\s+\((PASS|FAIL) at "
                   r"([\d.]+) MHz\)")


def parse_fmax(log: str) -> tuple[float, float]:
    """(achieved, target) MHz from nextpnr's last "Max frequency for clock"
    line (the one after routing)."""
    found = _FMAX.findall(log)
    if not found:
        raise ValueError("nextpnr log: no 'Max frequency for clock' line")
    _clk, fmax, _verdict, target = found[-1]
    return float(fmax), float(target)


_UTIL = re.compile(r"^Info:\s+(\w+):\s+(\d+)/\s*(\d+)\s+\d+%$", re.M)


def parse_utilisation(log: str) -> dict[str, float]:
    """Used / available of each bel type in nextpnr's "Device utilisation"
    block (the last one in the log): {"TRELLIS_COMB": 0.21, ...}."""
    util: dict[str, float] = {}
    for kind, used, avail in _UTIL.findall(log):
        if int(avail):
            util[kind] = int(used) / int(avail)
    return util


# DP16KD's aspect ratios (words, bits): true dual port up to 18 bits wide,
# 512 x 36 as a simple dual port (one write, one read port)
_TDP_SHAPES = ((16384, 1), (8192, 2), (4096, 4), (2048, 9), (1024, 18))
_SDP_SHAPE = (512, 36)


def dp16kd_range(mem: MemoryShape) -> tuple[int, int]:
    """The fewest and the most DP16KD blocks yosys's ``memory_libmap`` can
    spend on `mem` in block RAM: one copy in the cheapest aspect ratio, or
    one copy per read port (a block has two ports; a second read port that
    does not share the write port's address needs its own copy)."""
    shapes = _TDP_SHAPES + ((_SDP_SHAPE,) if mem.read_ports == 1 else ())
    one = min(-(-mem.depth // d) * -(-mem.width // w) for d, w in shapes)
    return one, one * max(1, mem.read_ports)


def format_table(reports: list[BlockReport]) -> str:
    """A fixed-width text table, one line per block."""
    head = ("block", "cells", "FFs", "latches", "depth", "memories", "mem kbit", "rd/wr ports",
            "LUT4", "ECP5 FF", "DP16KD", "LUTRAM", "MULT18")
    rows = [head]
    for r in reports:
        g, e = r.generic, r.ecp5
        ports = f"{sum(m.read_ports for m in g.memories)}/{sum(m.write_ports for m in g.memories)}"
        ecp = (("-",) * 5 if e is None
               else (_opt(e.lut4), str(e.ff), str(e.dp16kd), str(e.lutram), str(e.mult18)))
        rows.append((r.block, str(g.cells), str(g.flip_flops), str(g.latches), _opt(g.depth),
                     str(len(g.memories)), f"{g.memory_bits / 1024:.1f}", ports, *ecp))
    widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in
                       enumerate(zip(row, widths))) for row in rows]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _opt(n: int | None) -> str:
    return "-" if n is None else str(n)
