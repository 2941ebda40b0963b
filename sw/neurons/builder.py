"""A small Python DSL that turns a neuron model description into microcode.

A model is a straight-line function of named values::

    b = ProgramBuilder("my_if", n_groups=1)
    b.declare_state("v")
    b.declare_const("vth", lo=0, hi=2**23 - 1)
    v = b.state("v") + b.input()
    fire = v > b.const("vth")
    b.store("v", b.select(fire, b.zero, v))
    b.spike(fire)
    program = b.build()

Values (`Val`) are virtual registers; Python operators emit instructions
(`+ - & | ^`, `<< >>` with an int or a Val amount, comparisons `> >= <
<= ==` give 0/1). `build()` allocates the eight physical registers (r0 is
zero) by liveness over the straight-line code, in the order written
(`regalloc.allocate`), and returns a `NeuronProgram`:
the instruction list, the names of its state words, per-compartment
parameters and profile constants, and `images()` to produce the PARAM /
PROFILE / STATE word images for given parameter values.

`b.input()` reads and clears every accumulator group of this step, shifts
group g by the profile constant `weight_exp{g}` (signed: left for >= 0,
flooring right otherwise; Lava's per-projection `weight_exp`) and sums them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Callable, Mapping

import numpy as np

from ..hw import isa
from ..hw.fixed_point import WEIGHT_EXP, WORD_BITS, IntRange
from ..hw.isa import Instr, Opcode
from ..hw.neurocore import compartment_memory as cm
from ..hw.neurocore.neuron_turns import LAUNCH_TURNS, acc_turns
from ..hw.neurocore.accumulators import ACC_LATENCY
from .regalloc import allocate

__all__ = ["Val", "ProgramBuilder", "NeuronProgram", "Decl", "link", "CoreImages", "core_images",
           "acc_row_bases",
           "weight_exp_name", "WordSpace", "WordRef"]


class WordSpace(StrEnum):
    """The memory a program's named value lives in."""
    STATE = "state"        # a compartment's state words (the program writes them)
    PARAM = "param"        # a compartment's parameter words (read-only to the program)
    PROFILE = "profile"    # a profile constant, shared by the population's piece on a core


@dataclass(frozen=True)
class WordRef:
    """Where a named value lives: word `index` inside the compartment's (state,
    param) or the profile's block of `space`."""
    space: WordSpace
    index: int


def weight_exp_name(group: int) -> str:
    """The profile constant that shifts accumulator group `group` (signed, -8..7)."""
    return f"weight_exp{group}"

_I32_MIN, _I32_MAX = IntRange.signed(WORD_BITS)


class Val:
    """A value in a (virtual) register. Create through `ProgramBuilder`."""

    def __init__(self, b: "ProgramBuilder", vid: int):
        self.b = b
        self.vid = vid

    def _bin(self, op, other, swap=False):
        return self.b._alu(op, other, self) if swap else self.b._alu(op, self, other)

    def __add__(self, o): return self._bin(Opcode.ADD, o)
    def __radd__(self, o): return self._bin(Opcode.ADD, o)
    def __sub__(self, o): return self._bin(Opcode.SUB, o)
    def __rsub__(self, o):
        # k - x = 0 - (x + (-k)): one SUB with operand B = x - k
        if isa.IMM_MIN <= -int(o) <= isa.IMM_MAX:
            return self.b._emit(Opcode.SUB, True, imm=-int(o), ra=None, rb=self)
        return self.b._alu(Opcode.SUB, self.b.imm(o), self)
    def __neg__(self): return self.b._alu(Opcode.SUB, self.b.zero, self)
    def __and__(self, o): return self._bin(Opcode.AND, o)
    def __or__(self, o): return self._bin(Opcode.OR, o)
    def __xor__(self, o): return self._bin(Opcode.XOR, o)
    def __lshift__(self, o): return self._bin(Opcode.SHL, o)
    def __rshift__(self, o): return self._bin(Opcode.SHR, o)
    def __gt__(self, o): return self._bin(Opcode.CGT, o)
    def __ge__(self, o): return self._bin(Opcode.CGE, o)
    def __lt__(self, o): return self.b._alu(Opcode.CGT, self.b._as_val(o), self)
    def __le__(self, o): return self.b._alu(Opcode.CGE, self.b._as_val(o), self)

    def __eq__(self, o):  # type: ignore[override]
        return self._bin(Opcode.CEQ, o)

    __hash__ = object.__hash__

    def __bool__(self):
        raise TypeError("a microcode Val has no Python truth value: use b.select(cond, a, b) "
                        "for data-dependent choices")


@dataclass(frozen=True)
class Decl:
    """A named word of a program: a state word, a per-compartment parameter or
    a profile constant, with its allowed value range and default."""
    name: str
    index: int          # word index (LDS / LDP / LDC immediate)
    lo: int = _I32_MIN
    hi: int = _I32_MAX
    default: int = 0


@dataclass
class _VInstr:
    op: Opcode
    dst: int | None
    srcs: dict            # field name -> vid (None: r0)
    imm: int = 0


@dataclass
class NeuronProgram:
    """A compiled neuron program and the layout of its memory words."""
    name: str
    instrs: list[Instr]
    n_groups: int
    state: dict[str, Decl]
    params: dict[str, Decl]
    consts: dict[str, Decl]
    derive: Callable[[dict], dict] | None = None
    doc: str = ""

    def word(self, name: str) -> WordRef:
        """Where a named value lives. Host address: `compartment_memory.state_addr(c, i)`,
        `param_addr(c, i)` or `profile_addr(p, i)`."""
        for space in WordSpace:
            if name in self.decls(space):
                return WordRef(space, self.decls(space)[name].index)
        raise KeyError(f"{self.name}: no value named {name!r}")

    def decls(self, space: WordSpace) -> dict[str, Decl]:
        """The named values of one memory."""
        return {WordSpace.STATE: self.state, WordSpace.PARAM: self.params,
                WordSpace.PROFILE: self.consts}[space]

    @property
    def words(self) -> list[int]:
        return [isa.encode(i) for i in self.instrs]

    def __len__(self) -> int:
        return len(self.instrs)

    def listing(self) -> str:
        return "\n".join(isa.disassemble(self.words))

    def cycles(self, acc_latency: int = ACC_LATENCY) -> int:
        """Cycles a lane of the RTL engine spends per update of this program
        at steady state (every slot of the lane busy, so that each turn of a
        slot costs the lane one cycle; `kilauea.hw.neurocore.neuron_lane`):
        one turn per instruction (MOD at its worst case, `isa.OPINFO`), one
        per ACC retried until its answer is in when the core answers
        `acc_latency` cycles after taking the request (`acc_turns`; the
        core's accumulators: `ACC_LATENCY`, 2), and the
        compartment's PROFILE-header turn (`LAUNCH_TURNS`). Per update with
        the engine's lanes side by side:
        `kilauea.hw.neurocore.neuron_engine.update_cycles`."""
        return LAUNCH_TURNS + sum(acc_turns(acc_latency) if ins.op == Opcode.ACC
                                  else isa.OPINFO[ins.op].turns for ins in self.instrs)

    def images(self, n: int, values: Mapping[str, object] | None = None, *,
               profile: int = 0, entry: int = 0, acc_row: int = 0):
        """Word images for `n` compartments of this program with the given
        values (profile constants: scalars; parameters and state: scalars or
        arrays of length n; unnamed ones take their defaults).

        Returns (profile_words [PROFILE_WORDS], param_words [n * PARAM_WORDS],
        state_words [n * STATE_WORDS]) as int64 arrays of signed 32-bit values;
        the profile header holds `entry`, every compartment header `profile`
        and its accumulator row base: compartment i's rows start at `acc_row`
        + i x n_groups (docs/neurocore.md, "Accumulators").
        """
        values = dict(values or {})
        if self.derive is not None:
            values = self.derive(values)
        known = set(self.state) | set(self.params) | set(self.consts)
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"{self.name}: unknown values {sorted(unknown)}; "
                             f"the program has {sorted(known)}")
        prof = np.zeros(cm.PROFILE_WORDS, dtype=np.int64)
        prof[0] = cm.pack_profile_header(entry)
        for d in self.consts.values():
            v = values.get(d.name, d.default)
            if np.ndim(v) != 0:
                raise ValueError(f"{self.name}: profile constant {d.name} must be a scalar "
                                 f"(shared by the profile), got shape {np.shape(v)}")
            prof[d.index] = self._check(d, np.int64(int(v)), "profile constant")
        par = np.zeros((n, cm.PARAM_WORDS), dtype=np.int64)
        par[:, 0] = cm.pack_param_headers(profile, acc_row + self.n_groups * np.arange(n))
        for d in self.params.values():
            par[:, d.index] = self._check(d, self._vec(d, values.get(d.name, d.default), n),
                                          "parameter")
        st = np.zeros((n, cm.STATE_WORDS), dtype=np.int64)
        for d in self.state.values():
            st[:, d.index] = self._check(d, self._vec(d, values.get(d.name, d.default), n), "state")
        return prof, par.reshape(-1), st.reshape(-1)

    def _vec(self, d: Decl, v, n: int) -> np.ndarray:
        a = np.asarray(v)
        if not np.issubdtype(a.dtype, np.integer) and a.size and not np.all(a == np.round(a)):
            raise ValueError(f"{self.name}: {d.name} must hold integers")
        a = np.broadcast_to(a.astype(np.int64), (n,)) if a.ndim == 0 else a.astype(np.int64)
        if a.shape != (n,):
            raise ValueError(f"{self.name}: {d.name} has shape {a.shape}, expected ({n},)")
        return a

    def _check(self, d: Decl, a, what: str):
        a = np.asarray(a, dtype=np.int64)
        bad = (a < d.lo) | (a > d.hi)
        if np.any(bad):
            v = int(np.asarray(a).reshape(-1)[np.flatnonzero(np.asarray(bad).reshape(-1))[0]])
            raise ValueError(f"{self.name}: {what} {d.name}={v} outside {d.lo}..{d.hi}")
        return a


class ProgramBuilder:
    """Builds one neuron program (see the module docstring)."""

    def __init__(self, name: str, n_groups: int = 1):
        if n_groups < 1:
            raise ValueError(f"{name}: n_groups must be >= 1")
        self.name = name
        self.n_groups = n_groups
        self._code: list[_VInstr] = []
        self._nv = 0
        self.zero = Val(self, -1)      # r0
        self.state_decl: dict[str, Decl] = {}
        self.param_decl: dict[str, Decl] = {}
        self.const_decl: dict[str, Decl] = {}
        for g in range(n_groups):
            self.declare_const(weight_exp_name(g), lo=WEIGHT_EXP.lo, hi=WEIGHT_EXP.hi)

    # -- declarations ------------------------------------------------------
    def declare_state(self, name: str, lo: int = _I32_MIN, hi: int = _I32_MAX, default: int | None = None):
        return self._declare(self.state_decl, name, 0, cm.STATE_WORDS, lo, hi, default, "state word")

    def declare_param(self, name: str, lo: int = _I32_MIN, hi: int = _I32_MAX, default: int | None = None):
        return self._declare(self.param_decl, name, 1, cm.PARAM_WORDS, lo, hi, default, "parameter")

    def declare_const(self, name: str, lo: int = _I32_MIN, hi: int = _I32_MAX, default: int | None = None):
        return self._declare(self.const_decl, name, 1, cm.PROFILE_WORDS, lo, hi, default,
                             "profile constant")

    def _declare(self, table, name, first, limit, lo, hi, default, what):
        if name in self.state_decl or name in self.param_decl or name in self.const_decl:
            raise ValueError(f"{self.name}: {name!r} declared twice")
        if default is None:                 # 0, or the range's bound nearest to it
            default = min(max(0, lo), hi)
        index = first + len(table)
        if index >= limit:
            raise ValueError(f"{self.name}: too many {what}s ({name!r}): a compartment has "
                             f"{limit - first} {what} words")
        if not (_I32_MIN <= lo <= default <= hi <= _I32_MAX):
            raise ValueError(f"{self.name}: {name}: need {_I32_MIN} <= lo <= default <= hi <= {_I32_MAX}")
        table[name] = Decl(name, index, lo, hi, default)
        return table[name]

    # -- emitting ----------------------------------------------------------
    def _new(self) -> Val:
        self._nv += 1
        return Val(self, self._nv - 1)

    def _emit(self, op: Opcode, dst: bool, imm: int = 0, **srcs) -> Val | None:
        for k, v in srcs.items():
            if v is not None and (not isinstance(v, Val) or v.b is not self):
                raise TypeError(f"{self.name}: operand {k} of {op.name} is not a Val of this builder")
        d = self._new() if dst else None
        self._code.append(_VInstr(op, None if d is None else d.vid,
                                  {k: (None if v is None or v.vid < 0 else v.vid) for k, v in srcs.items()},
                                  int(imm)))
        return d

    def _as_val(self, x) -> Val:
        return x if isinstance(x, Val) else self.imm(x)

    def _alu(self, op: Opcode, a, bb) -> Val:
        a = self._as_val(a)
        if isinstance(bb, Val):
            return self._emit(op, True, ra=a, rb=bb)
        k = int(bb)
        if isa.IMM_MIN <= k <= isa.IMM_MAX:
            return self._emit(op, True, imm=k, ra=a, rb=None)
        return self._emit(op, True, ra=a, rb=self.imm(k))

    def imm(self, k: int) -> Val:
        """A constant; beyond the 14-bit immediate, put it in a profile constant."""
        k = int(k)
        if not isa.IMM_MIN <= k <= isa.IMM_MAX:
            raise ValueError(f"{self.name}: constant {k} does not fit the {isa.IMM_BITS}-bit "
                             "immediate; declare a profile constant for it")
        return self._emit(Opcode.ADD, True, imm=k, ra=None, rb=None)

    def state(self, name: str) -> Val:
        return self._emit(Opcode.LDS, True, imm=self._decl(self.state_decl, name).index)

    def store(self, name: str, v) -> None:
        self._emit(Opcode.STS, False, imm=self._decl(self.state_decl, name).index, ra=self._as_val(v))

    def param(self, name: str) -> Val:
        return self._emit(Opcode.LDP, True, imm=self._decl(self.param_decl, name).index)

    def const(self, name: str) -> Val:
        return self._emit(Opcode.LDC, True, imm=self._decl(self.const_decl, name).index)

    def step(self) -> Val:
        return self._emit(Opcode.LDT, True)

    def acc(self, group: int) -> Val:
        if not 0 <= group < self.n_groups:
            raise ValueError(f"{self.name}: accumulator group {group} outside 0..{self.n_groups - 1}")
        return self._emit(Opcode.ACC, True, imm=group)

    def input(self, groups=None) -> Val:
        """Sum over groups of ash(acc(g), weight_exp{g}) (see module
        docstring); `groups`: only these (a model with several input ports
        reads each port's groups; every group must be read once per step,
        which clears it). No group: zero (r0)."""
        total = None
        for g in (range(self.n_groups) if groups is None else groups):
            term = self.ash(self.acc(g), self.const(weight_exp_name(g)))
            total = term if total is None else total + term
        return self.zero if total is None else total

    def _decl(self, table, name) -> Decl:
        if name not in table:
            raise KeyError(f"{self.name}: {name!r} is not declared here (have {sorted(table)})")
        return table[name]

    def mul_tshr(self, a, b, shift: int) -> Val:
        """trunc_shr(a * b, shift) with a 64-bit product."""
        return self._emit(Opcode.MULT, True, imm=shift, ra=self._as_val(a), rb=self._as_val(b))

    def mul_shr(self, a, b, shift: int) -> Val:
        """shr(a * b, shift) (floor) with a 64-bit product."""
        return self._emit(Opcode.MULF, True, imm=shift, ra=self._as_val(a), rb=self._as_val(b))

    def shl(self, a, n) -> Val: return self._alu(Opcode.SHL, a, n)
    def shr(self, a, n) -> Val: return self._alu(Opcode.SHR, a, n)
    def tshr(self, a, n) -> Val: return self._alu(Opcode.TSHR, a, n)
    def ash(self, a, n) -> Val: return self._alu(Opcode.ASH, a, n)
    def max(self, a, b) -> Val: return self._alu(Opcode.MAX, a, b)
    def min(self, a, b) -> Val: return self._alu(Opcode.MIN, a, b)
    def mod(self, a, b) -> Val: return self._alu(Opcode.MOD, a, b)

    def abs(self, a) -> Val:
        return self._emit(Opcode.ABS, True, ra=self._as_val(a))

    def select(self, cond, a, b) -> Val:
        """a where cond != 0 else b."""
        return self._emit(Opcode.SEL, True, rc=self._as_val(cond), ra=self._as_val(a), rb=self._as_val(b))

    def wrap(self, a, width: int) -> Val:
        """Single wrap into `width` bits (LIF's u)."""
        return self._emit(Opcode.WRAP, True, imm=width, ra=self._as_val(a))

    def sat(self, a, width: int) -> Val:
        """Clip to +-(2**(width-1) - 1)."""
        return self._emit(Opcode.SAT, True, imm=width, ra=self._as_val(a))

    def spike(self, cond, payload=None) -> None:
        """Emit a spike where cond != 0: binary (payload 1) or graded."""
        if payload is None:
            self._emit(Opcode.SPK, False, imm=1, rc=self._as_val(cond), ra=None)
        else:
            self._emit(Opcode.SPK, False, rc=self._as_val(cond), ra=self._as_val(payload))

    # -- register allocation ---------------------------------------------
    def build(self, derive: Callable[[dict], dict] | None = None, doc: str = "") -> NeuronProgram:
        """The program: the code as written, with its registers allocated."""
        return NeuronProgram(self.name, allocate(self._code, self.name), self.n_groups,
                             dict(self.state_decl), dict(self.param_decl),
                             dict(self.const_decl), derive, doc)


def link(programs: list[NeuronProgram], n_ucode: int) -> tuple[np.ndarray, list[int]]:
    """Place programs one after another in UCODE. Returns (ucode image
    [n_ucode] of unsigned words, entry address of each program)."""
    image = np.zeros(n_ucode, dtype=np.int64)
    entries = []
    at = 0
    for p in programs:
        if at + len(p) > n_ucode:
            raise ValueError(f"program {p.name!r} ({len(p)} words) does not fit UCODE: "
                             f"{at + len(p)} words needed, {n_ucode} available")
        image[at:at + len(p)] = p.words
        entries.append(at)
        at += len(p)
    return image, entries


@dataclass
class CoreImages:
    """The neuron engine's four memory images for one core (int64 arrays of
    signed 32-bit values, full memory depth) and the compartments in use."""
    ucode: np.ndarray
    profile: np.ndarray
    param: np.ndarray
    state: np.ndarray
    n_compartments: int
    populations: list[tuple[int, int]] = field(default_factory=list)   # (first, count)


def acc_row_bases(populations) -> np.ndarray:
    """Row base (int64) of each compartment of a core holding `populations`
    ((program, n, ...) in order): dense, `n_groups` rows each, as
    `core_images` writes them into the headers."""
    k = [np.full(pop[1], pop[0].n_groups, dtype=np.int64) for pop in populations]
    k = np.concatenate(k) if k else np.zeros(0, dtype=np.int64)
    return np.cumsum(k) - k


def core_images(params, populations) -> CoreImages:
    """Images for a core holding `populations`, a list of (program, n, values):
    each population gets its own profile and consecutive compartments (and
    rows: `acc_row_bases`); programs used by several populations are placed
    in UCODE once."""
    depths = cm.memory_depths(params)
    if len(populations) > params.n_profiles:
        raise ValueError(f"{len(populations)} populations need as many profiles; the core has "
                         f"{params.n_profiles}")
    programs: list[NeuronProgram] = []
    for prog, _, _ in populations:
        if all(p is not prog for p in programs):
            programs.append(prog)
    ucode, entries = link(programs, params.n_ucode)
    profile = np.zeros(depths["profile"], dtype=np.int64)
    param = np.zeros(depths["param"], dtype=np.int64)
    state = np.zeros(depths["state"], dtype=np.int64)
    first = row = 0
    spans = []
    for pi, (prog, n, values) in enumerate(populations):
        if first + n > params.n_compartments:
            raise ValueError(f"populations need {first + n} compartments; the core has "
                             f"{params.n_compartments}")
        if row + n * prog.n_groups > params.acc_rows:
            raise ValueError(f"populations need {row + n * prog.n_groups} accumulator rows (one "
                             f"per input group of each compartment); the core has "
                             f"ChipParams.n_acc_rows = {params.acc_rows}")
        entry = entries[next(i for i, p in enumerate(programs) if p is prog)]
        prof, par, st = prog.images(n, values, profile=pi, entry=entry, acc_row=row)
        profile[pi * cm.PROFILE_WORDS:(pi + 1) * cm.PROFILE_WORDS] = prof
        param[first * cm.PARAM_WORDS:(first + n) * cm.PARAM_WORDS] = par
        state[first * cm.STATE_WORDS:(first + n) * cm.STATE_WORDS] = st
        spans.append((first, n))
        first += n
        row += n * prog.n_groups
    return CoreImages(ucode, profile, param, state, first, spans)
