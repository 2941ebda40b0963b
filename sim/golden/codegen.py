"""A neuron program, generated as one Python function over a batch of compartments.

`generate(program, batch)` walks the straight-line program once, when a
neuron plan is built, keeping for each register what is known of it
(`kilauea.sim.golden.ops.Operand`: bounds, booleans, a value the same for
the whole batch), and writes a Python function ``run(ctx)`` that executes
the program for every compartment of the batch at once:

- registers become local variables (r0 the literal 0); there is no
  per-instruction dispatch;
- PARAM and PROFILE words do not change while a plan lives, so LDP / LDC
  and every pure instruction whose operands come only from them (or from
  immediates) are computed here, once per plan, by evaluating the same
  expression (`ops.expr`) over the batch's words: the function receives
  the results as arrays ``K<n>``, or as literals when the whole batch
  shares one value;
- the other instructions are lines of numpy, written with the bounds of
  their operands (32-bit wraps only where a result can leave 32 bits,
  shifts by a known amount specialised);
- LDS / STS gather and scatter STATE words (``ctx.state``) at indices
  fixed per plan, ACC reads and clears ``ctx.acc`` at this step's slot
  (``ctx.slot_off``), LDT reads ``ctx.step``, SPK and MOD call
  `ops._spike` (`ops._spike_k` when the payload is known) / `ops._mod_e`
  (spikes and errors through ``ctx``); an ADD, SUB, OR or XOR of a known 0
  is its operand A.

The result is bit-exact with the ISA (docs/isa.md): folding evaluates the
same expressions on the same values, and a wrap is left out only where the
bounds prove it is the identity. The RTL neuron engine is checked against
this code (tests/hw/neuron, tests/sim/compiled/test_golden_random_chip.py).
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ...hw.isa import Opcode
from ...hw.neurocore import compartment_memory as ncm
from ...hw.words import to_s32
from .ops import HI32, LO32, NAMESPACE, PURE, Expr, Operand, Program, expr, fit, spike_payload

__all__ = ["generate", "Generated"]

_I64 = np.int64
_B_IS_REGISTER = (Opcode.MULT, Opcode.MULF, Opcode.SEL)   # B = R[rb] (no immediate)
_ZERO_IDENTITY = (Opcode.ADD, Opcode.SUB, Opcode.OR, Opcode.XOR)   # a op 0 = a


@dataclass(frozen=True)
class Val:
    """A register's value during generation: its name in the generated
    code (a variable, a ``K<n>`` array or a literal), what is known of it
    (`Operand`), and its per-compartment values when known at plan time."""
    name: str
    info: Operand
    known: np.ndarray | None = None


@dataclass
class Generated:
    """A generated program: ``run(ctx)`` and its source (for reading)."""
    run: Callable
    source: str


@functools.lru_cache(maxsize=512)
def _code(source: str, mode: str):
    return compile(source, "<neuron program>", mode)


@dataclass
class _Gen:
    """The state of one generation."""
    k: int
    ns: dict
    lines: list = field(default_factory=list)
    n: int = 0

    def fresh(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def known(self, values: np.ndarray) -> Val:
        """A value known at plan time: a literal if the batch shares it."""
        v = np.broadcast_to(np.asarray(values, dtype=_I64), (self.k,))
        lo, hi = int(v.min()), int(v.max())
        if lo == hi:
            return Val(f"({lo})", Operand(lo, hi, scalar=lo), v)
        name = self.fresh("K")
        self.ns[name] = np.ascontiguousarray(v)
        return Val(name, Operand(lo, hi), v)

    def emit(self, e: Expr, a: Val, b: Val, c: Val, pure: bool = True) -> Val:
        """The value of expression e: evaluated now when pure and its operands
        are known, else written as a line of the function."""
        if e.text == "{a}":
            return a
        used = [v for key, v in (("{a}", a), ("{b}", b), ("{c}", c)) if key in e.text]
        if pure and all(v.known is not None for v in used):
            env = {"_a": a.known, "_b": b.known, "_c": c.known}
            got = eval(_code(e.text.format(a="_a", b="_b", c="_c"), "eval"), NAMESPACE, env)
            return self.known(got)
        name = self.fresh("v")
        self.lines.append(f"{name} = " + e.text.format(a=a.name, b=b.name, c=c.name))
        return Val(name, Operand(e.lo, e.hi, e.boolean))

    def as_int(self, v: Val) -> Val:
        """A boolean value as 0 / 1."""
        if not v.info.boolean:
            return v
        return self.emit(Expr("{a}.astype(_I64)", 0, 1), v, v, v)


def _operand_b(g: _Gen, R: list, ins) -> Val:
    """B = wrap32(R[rb] + imm)."""
    if ins.rb == 0:
        return g.known(int(to_s32(ins.imm)))
    rb = g.as_int(R[ins.rb])
    if ins.imm == 0:
        return rb
    i = ins.imm
    return g.emit(fit(f"({{a}} + ({i}))", rb.info.lo + i, rb.info.hi + i), rb, rb, rb)


def _memory(g: _Gen, R: list, ins, o: Opcode, batch) -> Val | None:
    """LDS / STS / LDP / LDC / LDT / ACC: the value loaded (None for STS)."""
    if o is Opcode.LDS:
        idx = g.fresh("S")
        g.ns[idx] = batch.sidx + ins.imm % ncm.STATE_WORDS
        return g.emit(Expr(f"st[{idx}].astype(_I64)", LO32, HI32), R[0], R[0], R[0], False)
    if o is Opcode.STS:
        idx = g.fresh("S")
        g.ns[idx] = batch.sidx + ins.imm % ncm.STATE_WORDS
        g.lines.append(f"st[{idx}] = {R[ins.ra].name}")
        return None
    if o is Opcode.LDP:
        return g.known(batch.param_word(ins.imm % ncm.PARAM_WORDS))
    if o is Opcode.LDC:
        return g.known(batch.const_word(ins.imm % ncm.PROFILE_WORDS))
    if o is Opcode.LDT:
        return g.emit(Expr(f"np.full({g.k}, ctx.step, _I64)", LO32, HI32), R[0], R[0], R[0],
                      False)
    assert o is Opcode.ACC, o
    base = g.fresh("A")
    g.ns[base] = batch.acc_index(ins.imm)
    at, v = g.fresh("i"), g.fresh("v")
    g.lines += [f"{at} = {base} + so", f"{v} = acc[{at}]", f"acc[{at}] = 0",
                f"if reads is not None: reads.append({at})"]
    return Val(v, Operand(LO32, HI32))


def _instruction(g: _Gen, R: list, ins, batch, seq: int) -> int:
    """Generate one instruction; returns the SPK count after it."""
    o = Opcode(ins.op)
    out: Val | None = None
    if o in PURE:
        a = g.as_int(R[ins.ra])
        b = g.as_int(R[ins.rb]) if o in _B_IS_REGISTER else _operand_b(g, R, ins)
        c = R[ins.rc]
        if ins.rd != 0 and o in _ZERO_IDENTITY and b.info.scalar == 0:
            out = a                 # a + 0, a - 0, a | 0, a ^ 0: a (already 32-bit)
        elif ins.rd != 0:           # a pure result written to r0 is dropped
            out = g.emit(expr(o, ins, a.info, b.info, c.info), a, b, c)
    elif o is Opcode.MOD:
        a, b = g.as_int(R[ins.ra]), _operand_b(g, R, ins)
        out = g.emit(Expr("_mod_e(ctx, {a}, {b})", LO32, HI32), a, b, b, pure=False)
    elif o is Opcode.SPK:
        c = R[ins.rc]
        if c.info.scalar != 0:      # a condition known to be 0 never fires
            a = g.as_int(R[ins.ra])
            if a.info.scalar is not None:       # the payload is known now
                pay, bad = spike_payload(a.info.scalar + ins.imm)
                g.lines.append(f"_spike_k(ctx, {seq}, {c.name}, {pay}, {bad})")
            else:
                g.lines.append(f"_spike(ctx, {seq}, {c.name}, {a.name}, {ins.imm})")
        return seq + 1
    elif o is not Opcode.NOP:
        out = _memory(g, R, ins, o, batch)
    if out is not None and ins.rd != 0:
        R[ins.rd] = out
    return seq


def generate(prog: Program, batch) -> Generated:
    """The function that runs `prog` over `batch` (a `neuron.Batch` whose
    PARAM / PROFILE words, gather indices and size are those of the plan)."""
    g = _Gen(batch.k, dict(NAMESPACE))
    R = [g.known(0)] * 8                # r0 reads 0; so do registers never written
    seq = 0
    for ins in prog.body:
        seq = _instruction(g, R, ins, batch, seq)
    body = ["st = ctx.state", "acc = ctx.acc", "so = ctx.slot_off", "reads = ctx.read",
            *g.lines]
    source = "def run(ctx):\n" + "".join(f"    {line}\n" for line in body)
    exec(_code(source, "exec"), g.ns)
    return Generated(g.ns["run"], source)
