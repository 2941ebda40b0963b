"""Instruction scheduling and register allocation of a neuron program.

The engine's lanes run one instruction per cycle, but a loaded register
(LDS / LDP / LDC) is ready only `isa.LOAD_LATENCY` instructions later and an
ACC's answer a few cycles after its request: an instruction that uses one
sooner waits (`NeuronProgram.cycles`). `schedule` reorders a straight-line
program of virtual registers (single assignment) so that such uses come
later where other work can fill the gap, without changing what it computes:

* an instruction stays after the instructions whose values it reads;
* the instructions with effects outside the registers (STS, SPK, ACC, which
  reads and clears an accumulator) keep their order among themselves;
* an LDS stays after an earlier STS of the same word, an STS after an
  earlier LDS of the same word.

It is a list scheduler: each cycle it issues, of the instructions whose
predecessors are issued, one that would not wait (else the one that waits
least), preferring the longest chain of latencies to the end, then the
original order, and one that leaves a register free over one that
does not; it never lets more values be live than the registers hold
(`isa.N_REGS` - 1), and gives up (None) if it cannot (`build` then keeps
the order as written).

`allocate` then maps the values onto r1..r7 by liveness and appends END.
"""
from __future__ import annotations

from typing import Protocol, Sequence

from ..hw import isa
from ..hw.isa import Instr, Opcode
from ..hw.neurocore.neuron_join import ACC_ANSWER_DELAY

__all__ = ["LOADS", "VirtualInstr", "dependences", "schedule", "allocate"]

#: the opcodes that load a register from a memory (`isa.LOAD_LATENCY`)
LOADS = frozenset({Opcode.LDS, Opcode.LDP, Opcode.LDC})
_EFFECTS = frozenset({Opcode.STS, Opcode.SPK, Opcode.ACC})
_SPARE = 1      # a register kept free while another instruction can go without one


class VirtualInstr(Protocol):
    """An instruction on virtual registers: `dst` (a value id or None) and
    `srcs` (operand field -> value id, None for r0)."""
    op: Opcode
    dst: int | None
    srcs: dict
    imm: int


def _reads(ins: VirtualInstr) -> set[int]:
    return {v for v in ins.srcs.values() if v is not None}


def dependences(code: Sequence[VirtualInstr]) -> list[set[int]]:
    """For each instruction, the indices of the earlier ones it must follow."""
    producer = {ins.dst: i for i, ins in enumerate(code) if ins.dst is not None}
    deps: list[set[int]] = []
    last_effect: int | None = None
    stores: dict[int, int] = {}             # state word -> index of its last STS
    loads: dict[int, list[int]] = {}        # state word -> indices of its LDS
    for i, ins in enumerate(code):
        d = {producer[v] for v in _reads(ins)}
        if ins.op in _EFFECTS:
            if last_effect is not None:
                d.add(last_effect)
            last_effect = i
        if ins.op == Opcode.LDS:
            if ins.imm in stores:
                d.add(stores[ins.imm])
            loads.setdefault(ins.imm, []).append(i)
        elif ins.op == Opcode.STS:
            d.update(loads.get(ins.imm, []))
            stores[ins.imm] = i
        deps.append(d)
    return deps


def _latency(ins: VirtualInstr, acc_latency: int) -> int:
    """Cycles from issuing `ins` until an instruction may use its result."""
    if ins.op in LOADS:
        return isa.LOAD_LATENCY
    if ins.op == Opcode.ACC:
        return acc_latency + ACC_ANSWER_DELAY
    return isa.OPINFO[ins.op].cycles


def _priorities(code: Sequence[VirtualInstr], deps: list[set[int]], acc_latency: int) -> list[int]:
    """The longest chain of latencies from each instruction to the end."""
    prio = [0] * len(code)
    for i in range(len(code) - 1, -1, -1):
        prio[i] += _latency(code[i], acc_latency)
        for j in deps[i]:
            prio[j] = max(prio[j], prio[i])
    return prio


def schedule(code: Sequence[VirtualInstr], acc_latency: int = 1) -> list[VirtualInstr] | None:
    """`code` reordered (see the module docstring), or None when no order
    the scheduler finds keeps at most `isa.N_REGS` - 1 values live."""
    deps = _dependences_checked(code)
    prio = _priorities(code, deps, acc_latency)
    uses: dict[int, int] = {}
    for ins in code:
        for v in _reads(ins):
            uses[v] = uses.get(v, 0) + 1
    ready_at: dict[int, int] = {}           # value -> first cycle it may be read
    done: set[int] = set()
    live, t, out = 0, 0, []
    acc_ready = 0                           # cycle the last ACC's answer is in
    while len(out) < len(code):
        best = None
        for i, ins in enumerate(code):
            if i in done or not deps[i] <= done:
                continue
            start = max([t] + [ready_at[v] for v in _reads(ins) if v in ready_at])
            if ins.op == Opcode.ACC:
                start = max(start, acc_ready)
            freed = sum(1 for v in _reads(ins) if uses[v] == 1)
            grows = ins.dst is not None and uses.get(ins.dst, 0) > 0
            if live - freed + (ins.dst is not None) > isa.N_REGS - 1:    # rd taken, if dead
                continue
            tight = live - freed + grows > isa.N_REGS - 1 - _SPARE   # keeps registers spare
            key = (tight, start, -prio[i], i)
            if best is None or key < best[0]:
                best = (key, i, freed, grows)
        if best is None:
            return None
        (_, start, _, i), _, freed, grows = best
        ins = code[i]
        for v in _reads(ins):
            uses[v] -= 1
        live += grows - freed
        if ins.dst is not None:
            ready_at[ins.dst] = start + _latency(ins, acc_latency)
        if ins.op == Opcode.ACC:
            acc_ready = start + _latency(ins, acc_latency)
        t = start + isa.OPINFO[ins.op].cycles
        done.add(i)
        out.append(ins)
    return out


def _dependences_checked(code: Sequence[VirtualInstr]) -> list[set[int]]:
    if any(ins.op == Opcode.END for ins in code):
        raise ValueError("schedule: the program body must not contain END")
    return dependences(code)


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
