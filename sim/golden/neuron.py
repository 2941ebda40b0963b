"""Golden neuron interpreter: runs a core's neuron phase on its memory images.

    run_neuron_phase(ucode, profile, param, state, step, acc, n_compartments,
                     n_groups=None) -> NeuronPhase

Inputs (word arrays exactly as the RTL memories hold them; signed or unsigned
32-bit values, any integer dtype):

    ucode    [n_ucode]                         instruction words (kilauea.hw.isa)
    profile  [n_profiles * PROFILE_WORDS]      profile headers + shared parameters
    param    [n_compartments * PARAM_WORDS]    compartment headers + parameters
    state    [n_compartments * STATE_WORDS]    state words (not modified)
    step     int                               time step t (counts from 1)
    acc      [n_groups, >= n_compartments]     accumulator values of this step's
                                               slot (int32/int64 words, 32-bit wrapped)
    n_compartments  compartments 0..n-1 to update (CONFIG)
    n_groups        accumulator groups per compartment (default acc.shape[0]);
                    ACC's group is taken modulo n_groups, as in the RTL

Returns a `NeuronPhase`:

    state               the updated STATE image (same dtype and convention as given)
    spike_compartments  int64 [n_spikes], in emission order (compartment order,
                        then program order), as the RTL emits them on `spike`
    spike_payloads      int64 [n_spikes], 24-bit signed payloads
    acc_read            bool [n_groups, n_compartments]: accumulators the programs
                        read (and the RTL cleared); the caller clears them
    updates             compartment updates done (= n_compartments)
    errors              error pulses (undefined opcodes, MOD by zero, a spike
                        payload outside 24 bits, a program running past the
                        last UCODE word, and one per compartment skipped
                        because its profile index is >= n_profiles or its
                        profile's entry address is >= n_ucode: a skipped
                        compartment runs nothing, as in the RTL)
    instructions        instructions executed (sum over compartments)

Execution is vectorised: compartments are grouped by profile and each
instruction is one numpy operation over the compartment vector of a profile.
Semantics follow `kilauea.hw.isa` and `docs/isa.md` exactly.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field

import numpy as np

from ...hw import isa
from ...hw.isa import Opcode
from ...hw.fixed_point import PAYLOAD_BITS
from ...hw.neurocore import compartment_memory as cm
from ...hw.words import to_s32, to_u32, unpack_array, wrap_signed

__all__ = ["NeuronPhase", "run_neuron_phase"]


def _payload(x):
    return wrap_signed(np.asarray(x), PAYLOAD_BITS)


def _shl(x, n):
    """Low 32 bits of x << n (n in 0..63), signed."""
    u = x.astype(np.uint64) << n.astype(np.uint64)
    return to_s32(u)


def _imm6(imm: int) -> int:
    """The RTL's shift of MULT/MULF (and width of WRAP/SAT): the immediate's
    low 6 bits. The assembler only emits 0..63 (widths 1..32), where this is
    the immediate itself; a raw word may hold any 14-bit value."""
    return int(imm) & 63


def _half(imm: int) -> int:
    """h = 2**(w-1) of WRAP/SAT as the RTL forms it: w = the immediate's low
    6 bits, exponent (w - 1) mod 32 (so w = 0 gives 2**31)."""
    return 1 << ((_imm6(imm) - 1) & 31)


@dataclass
class NeuronPhase:
    state: np.ndarray
    spike_compartments: np.ndarray
    spike_payloads: np.ndarray
    acc_read: np.ndarray
    updates: int
    errors: int
    instructions: int


@functools.lru_cache(maxsize=64)
def _decode_cached(raw: bytes) -> tuple:
    return tuple(_decode_all(np.frombuffer(raw, dtype=np.int64)))


def _decode_all(ucode: np.ndarray):
    f = unpack_array(isa.Instruction, to_u32(ucode))
    return [tuple(int(f[k][i]) for k in ("op", "rd", "ra", "rb", "rc", "imm")) for i in range(len(ucode))]


_DEFINED = {op.value for op in Opcode}


def _mod(A, B):
    """MOD: A mod B (floored, as numpy); B = 0 gives 0 and an error."""
    zero = B == 0
    return np.where(zero, 0, np.mod(A, np.where(zero, 1, B))), zero


def _ash(A, B):
    s = np.clip(B, -isa.SHIFT_MAX, isa.SHIFT_MAX)
    return np.where(s >= 0, _shl(A, np.maximum(s, 0)), A >> np.maximum(-s, 0))


#: ALU operations on (A = R[ra], B = wrap32(R[rb] + imm)), each -> int64 result
_BINARY = {
    Opcode.ADD: lambda A, B: to_s32(A + B),
    Opcode.SUB: lambda A, B: to_s32(A - B),
    Opcode.SHL: lambda A, B: _shl(A, np.clip(B, 0, isa.SHIFT_MAX)),
    Opcode.SHR: lambda A, B: A >> np.clip(B, 0, isa.SHIFT_MAX),
    Opcode.TSHR: lambda A, B: np.sign(A) * (np.abs(A) >> np.clip(B, 0, isa.SHIFT_MAX)),
    Opcode.ASH: _ash,
    Opcode.CGT: lambda A, B: (A > B).astype(np.int64),
    Opcode.CGE: lambda A, B: (A >= B).astype(np.int64),
    Opcode.CEQ: lambda A, B: (A == B).astype(np.int64),
    Opcode.MAX: np.maximum,
    Opcode.MIN: np.minimum,
    Opcode.AND: lambda A, B: to_s32(A & B),
    Opcode.OR: lambda A, B: to_s32(A | B),
    Opcode.XOR: lambda A, B: to_s32(A ^ B),
}


@dataclass
class _Core:
    """One neuron phase's view of the core memories (signed int64 words)."""
    state: np.ndarray           # STATE image, updated in place
    param: np.ndarray           # PARAM image
    profile: np.ndarray         # PROFILE image
    acc: np.ndarray             # [G, n] this step's accumulator values
    acc_read: np.ndarray        # [G, n] bool: read (and so cleared) by ACC
    step: np.int64              # LDT's value
    program: tuple              # decoded UCODE: (op, rd, ra, rb, rc, imm) per word
    spikes: list = field(default_factory=list)   # (compartments, seq, payloads) per SPK
    errors: int = 0
    instructions: int = 0


@dataclass
class _Group:
    """The compartments `idx` sharing one profile, executing in lock step."""
    idx: np.ndarray
    consts: np.ndarray          # the profile's words
    regs: np.ndarray            # [N_REGS, k] int64
    seq: int = 0                # SPK instructions executed so far (emission order)

    @property
    def k(self) -> int:
        return len(self.idx)


def _execute(core: _Core, grp: _Group, o: Opcode, ins: tuple) -> tuple:
    """Execute one defined, non-END instruction over `grp`: (result or None,
    error mask)."""
    _, rd, ra, rb, rc, imm = ins
    R, idx, k = grp.regs, grp.idx, grp.k
    A = R[ra]
    err = np.zeros(k, dtype=bool)
    if o in _BINARY:
        return _BINARY[o](A, to_s32(R[rb] + imm)), err
    if o == Opcode.MOD:
        res, zero = _mod(A, to_s32(R[rb] + imm))
        return res, zero
    if o == Opcode.LDS:
        return core.state[idx * cm.STATE_WORDS + (imm % cm.STATE_WORDS)], err
    if o == Opcode.STS:
        core.state[idx * cm.STATE_WORDS + (imm % cm.STATE_WORDS)] = A
        return None, err
    if o == Opcode.LDP:
        return core.param[idx * cm.PARAM_WORDS + (imm % cm.PARAM_WORDS)], err
    if o == Opcode.LDC:
        return np.full(k, grp.consts[imm % cm.PROFILE_WORDS], dtype=np.int64), err
    if o == Opcode.LDT:
        return np.full(k, core.step, dtype=np.int64), err
    if o == Opcode.ACC:
        g = imm % core.acc.shape[0]
        res = np.where(core.acc_read[g, idx], 0, core.acc[g, idx])
        core.acc_read[g, idx] = True
        return res, err
    if o == Opcode.MULT:
        prod = A * R[rb]
        return to_s32(np.sign(prod) * (np.abs(prod) >> np.int64(_imm6(imm)))), err
    if o == Opcode.MULF:
        return to_s32((A * R[rb]) >> np.int64(_imm6(imm))), err
    if o == Opcode.SEL:
        return np.where(R[rc] != 0, A, R[rb]), err
    if o == Opcode.ABS:
        return to_s32(np.abs(A)), err
    if o in (Opcode.WRAP, Opcode.SAT):
        h = np.int64(_half(imm))
        if o == Opcode.SAT:
            return np.clip(A, -(h - 1), h - 1), err
        return to_s32(np.where(A > h, A - 2 * h, np.where(A <= -h, A + 2 * h, A))), err
    if o == Opcode.SPK:
        return None, _spike(core, grp, A, R[rc] != 0, imm)
    if o == Opcode.NOP:
        return None, err
    raise AssertionError(o)     # pragma: no cover - every opcode is handled above


def _spike(core: _Core, grp: _Group, A, fire, imm: int) -> np.ndarray:
    """SPK: emit A + imm where `fire`; the error mask of payloads outside 24 bits."""
    err = np.zeros(grp.k, dtype=bool)
    if fire.any():
        full = A[fire] + imm
        core.spikes.append((grp.idx[fire], np.full(int(fire.sum()), grp.seq, dtype=np.int64),
                            _payload(full)))
        h = 1 << (PAYLOAD_BITS - 1)
        err[fire] = (full < -h) | (full >= h)
    grp.seq += 1
    return err


def _run_profile(core: _Core, grp: _Group, pc: int) -> None:
    """Run one profile's program from `pc` over its compartments."""
    n_ucode = len(core.program)
    while True:
        if pc >= n_ucode:               # entry beyond UCODE: skipped, one error each
            core.errors += grp.k
            return
        ins = core.program[pc]
        op, rd = ins[0], ins[1]
        core.instructions += grp.k
        if op not in _DEFINED:
            res, err = None, np.ones(grp.k, dtype=bool)
        elif op == Opcode.END.value:
            return
        else:
            res, err = _execute(core, grp, Opcode(op), ins)
        if res is not None and rd != 0:
            grp.regs[rd] = res
        core.errors += int(err.sum())
        if pc == n_ucode - 1:           # ran past the last UCODE word without END:
            core.errors += grp.k        # the engine ends the program with an error
            return
        pc += 1


def _check_images(param_s, st, acc, G: int, n: int) -> None:
    if acc.ndim != 2:
        raise ValueError(f"acc must be [groups, compartments], got shape {acc.shape}")
    if n > len(param_s) // cm.PARAM_WORDS or n > len(st) // cm.STATE_WORDS:
        raise ValueError(f"n_compartments={n} exceeds the PARAM/STATE images "
                         f"({len(param_s) // cm.PARAM_WORDS} / {len(st) // cm.STATE_WORDS} compartments)")
    if acc.shape[1] < n or acc.shape[0] < G:
        raise ValueError(f"acc shape {acc.shape} too small for {G} groups x {n} compartments")


def _emitted(spikes: list) -> tuple[np.ndarray, np.ndarray]:
    """Spikes in emission order: compartment order, then program order."""
    if not spikes:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    sc, ss, sp = (np.concatenate(a) for a in zip(*spikes))
    order = np.lexsort((ss, sc))
    return sc[order].astype(np.int64), sp[order].astype(np.int64)


def run_neuron_phase(ucode, profile, param, state, step: int, acc, n_compartments: int,
                     n_groups: int | None = None) -> NeuronPhase:
    profile_s = to_s32(np.asarray(profile))
    param_s = to_s32(np.asarray(param))
    state_in = np.asarray(state)
    acc = np.asarray(acc)
    n = int(n_compartments)
    G = acc.shape[0] if (n_groups is None and acc.ndim == 2) else n_groups
    _check_images(param_s, state_in, acc, G, n)
    core = _Core(state=to_s32(state_in).copy(), param=param_s, profile=profile_s,
                 acc=to_s32(acc[:G, :n].astype(np.int64)), acc_read=np.zeros((G, n), dtype=bool),
                 step=np.int64(to_s32(int(step))),
                 program=_decode_cached(to_u32(np.asarray(ucode)).tobytes()))
    n_profiles = len(profile_s) // cm.PROFILE_WORDS
    comps = np.arange(n)
    prof_of = cm.unpack_param_header(param_s[comps * cm.PARAM_WORDS]) if n else np.zeros(0, np.int64)
    bad = prof_of >= n_profiles         # skipped with one error each, as in the RTL
    core.errors = int(bad.sum())
    for p in np.unique(prof_of[~bad]):
        p = int(p)
        idx = comps[prof_of == p]
        words = profile_s[p * cm.PROFILE_WORDS:(p + 1) * cm.PROFILE_WORDS]
        grp = _Group(idx, words, np.zeros((isa.N_REGS, len(idx)), dtype=np.int64))
        _run_profile(core, grp, int(cm.unpack_profile_header(profile_s[p * cm.PROFILE_WORDS])))
    sc, sp = _emitted(core.spikes)
    st = core.state
    if np.issubdtype(state_in.dtype, np.unsignedinteger):
        out = to_u32(st).astype(state_in.dtype)
    else:
        out = st.astype(state_in.dtype) if state_in.dtype.itemsize >= 4 else st
    return NeuronPhase(state=out, spike_compartments=sc, spike_payloads=sp,
                       acc_read=core.acc_read, updates=n, errors=core.errors,
                       instructions=core.instructions)
