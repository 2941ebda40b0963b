"""Register allocation of a neuron program.

`allocate` maps a straight-line program of virtual registers (single
assignment, in the order written) onto r1..r7 by liveness and appends END.
"""
from __future__ import annotations

from typing import Protocol, Sequence

from ..hw import isa
from ..hw.isa import Instr, Opcode

__all__ = ["VirtualInstr", "allocate"]


class VirtualInstr(Protocol):
    """An instruction on virtual registers: `dst` (a value id or None) and
    `srcs` (operand field -> value id, None for r0)."""
    op: Opcode
    dst: int | None
    srcs: dict
    imm: int


def _reads(ins: VirtualInstr) -> set[int]:
    return {v for v in ins.srcs.values() if v is not None}


def allocate(code: Sequence[VirtualInstr], name: str) -> list[Instr]:
    """Physical registers for `code` (r0 is zero; a register is free again
    after the last read of its value, at once for a value never read), and
    END appended. Raises ValueError when more than `isa.N_REGS` - 1 values
    are live at once; every field is range-checked by `isa.encode`."""
    last_use: dict[int, int] = {}
    for i, ins in enumerate(code):
        for v in _reads(ins):
            last_use[v] = i
    free = list(range(isa.N_REGS - 1, 0, -1))   # pop() gives r1 first
    phys: dict[int, int] = {}
    out: list[Instr] = []
    for i, ins in enumerate(code):
        fields = {k: 0 if v is None else phys[v] for k, v in ins.srcs.items()}
        for v in _reads(ins):
            if last_use[v] == i:
                free.append(phys[v])
        if ins.dst is not None:
            if not free:
                raise ValueError(f"{name}: more than {isa.N_REGS - 1} values live at "
                                 f"instruction {i} ({ins.op.name}); reorder the description")
            r = free.pop()
            phys[ins.dst] = r
            fields["rd"] = r
            if ins.dst not in last_use:     # dead value: register free at once
                free.append(r)
        out.append(Instr(ins.op, imm=ins.imm, **fields))
    out.append(Instr(Opcode.END))
    for ins in out:
        isa.encode(ins)     # range checks of every field
    return out
