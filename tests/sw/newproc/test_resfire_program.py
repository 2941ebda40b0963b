"""The ``rfzero`` program on the golden interpreter against the CPU
fixed-point model's step (``kilauea.numerics.resfire.rfzero_step``, equal to
lava-nc's ``PyRFZeroModelFixed``): random 32-bit states, constants and
inputs, so that every product and sum wraps and the ``// 2**15`` floors
negative values, two ports split over several accumulator groups with
their weight exponents. A program with one instruction changed (a bug) is
caught by the same comparison."""
import dataclasses

import numpy as np
import pytest

from kilauea.hw.isa import Opcode
from kilauea.hw.neurocore import compartment_memory as cm
from kilauea.hw.words import to_s32
from kilauea.neurons.builder import link, weight_exp_name
from kilauea.neurons.resfire import rfzero
from kilauea.numerics.resfire import rfzero_step
from kilauea.sim.golden.neuron import run_neuron_phase

_I32 = 2**31


def _ash(x: np.ndarray, e: int) -> np.ndarray:
    return to_s32(x << e) if e >= 0 else x >> -e


def _wide(rng, n: int) -> np.ndarray:
    """32-bit values, a quarter of them small (so that spikes happen)."""
    big = rng.integers(-_I32, _I32, n)
    return np.where(rng.random(n) < 0.25, rng.integers(-3000, 3000, n), big)


def _payload24(x: np.ndarray) -> np.ndarray:
    return (x + 2**23) % 2**24 - 2**23


#: the first _EDGE neurons (lct = lst = 0, so u' = xu, v' = xv) meet the
#: comparisons' boundaries: u' = uth or uth + 128, and v' = -128 (odd steps)
#: or 0 (even steps, after v = -128)
_EDGE = 8


def _edges(acc: np.ndarray, ports, exps, uth: int, t: int) -> np.ndarray:
    """``acc`` with the edge neurons' inputs set (each port's first group
    holds the whole input, a multiple of 128, exact under its shift)."""
    acc[:, :_EDGE] = 0
    want = (uth + 128 * (np.arange(_EDGE) % 2), np.full(_EDGE, -128 if t % 2 else 0))
    for k in (0, 1):
        g = next((g for g, p in enumerate(ports) if p == k), None)
        if g is not None:
            e = exps[g]
            acc[g, :_EDGE] = want[k] >> e if e >= 0 else want[k] << -e
    return acc


def _compare(prog, ports, seed: int, n: int = 64, steps: int = 12) -> int:
    """Run ``prog`` and the CPU step side by side; raise AssertionError at the
    first difference. Returns the number of spikes seen."""
    rng = np.random.default_rng(seed)
    exps = [int(rng.integers(-8, 8)) for _ in ports]
    lct = np.where(rng.random(n) < 0.5, rng.integers(-2**15, 2**15, n), _wide(rng, n))
    lst = np.where(rng.random(n) < 0.5, rng.integers(-2**15, 2**15, n), _wide(rng, n))
    uth = 128 * int(rng.integers(-2**7, 2**7))
    lct[:_EDGE] = lst[:_EDGE] = 0
    u, v = _wide(rng, n), _wide(rng, n)
    values = dict(u=u, v=v, lct=lct, lst=lst, uth=uth,
                  **{weight_exp_name(g): e for g, e in enumerate(exps)})
    ucode, (entry,) = link([prog], len(prog))
    prof, par, st = prog.images(n, values, entry=entry)
    spikes = 0
    for t in range(1, steps + 1):
        acc = _edges(np.stack([_wide(rng, n) for _ in ports]), ports, exps, uth, t)
        x = [to_s32(sum((_ash(acc[g], exps[g]) for g, p in enumerate(ports) if p == k),
                        np.zeros(n, np.int64))) for k in (0, 1)]
        u, v, s = rfzero_step(u, v, x[0], x[1], lct, lst, np.array([uth]))
        r = run_neuron_phase(ucode, prof, par, st, t, acc, n, n_groups=len(ports))
        st = r.state
        words = to_s32(np.asarray(st, np.int64)).reshape(n, cm.STATE_WORDS)
        for name, want in (("u", u), ("v", v)):
            got = words[:, prog.word(name).index]
            bad = np.flatnonzero(got != want)
            assert bad.size == 0, (f"seed {seed} step {t}: {name} of neuron {bad[0]} is "
                                   f"{got[bad[0]]}, the CPU model's {want[bad[0]]}")
        fire = np.flatnonzero(s != 0)
        assert r.spike_compartments.tolist() == fire.tolist(), f"seed {seed} step {t}: spikes"
        assert r.spike_payloads.tolist() == _payload24(s[fire]).tolist(), f"seed {seed} step {t}"
        assert r.errors == int(np.sum(np.abs(s[fire] + 0.5) > 2**23)), f"seed {seed} step {t}"
        spikes += fire.size
    return spikes


_PORTS = [(0, 1), (1, 0), (0, 1, 1), (0, 0, 1, 1), (0,), (1,)]


@pytest.mark.parametrize("ports", _PORTS, ids=[str(p) for p in _PORTS])
@pytest.mark.parametrize("seed", [11, 12, 13])
def test_the_program_equals_the_cpu_model_bit_for_bit(ports, seed):
    print(f"seed {seed}, ports {ports}")
    assert _compare(rfzero(len(ports), ports=ports), ports, seed) > 0, f"seed {seed}: no spike"


def _broken(prog, op: Opcode, change: dict):
    """``prog`` with the fields ``change`` of its first ``op`` instruction
    changed."""
    instrs = list(prog.instrs)
    k = next(i for i, ins in enumerate(instrs) if ins.op is op)
    instrs[k] = dataclasses.replace(instrs[k], **change)
    if op is Opcode.MULF and change.get("imm"):     # shift the 64-bit product instead
        instrs[k + 1] = dataclasses.replace(instrs[k + 1], imm=0)
    return dataclasses.replace(prog, instrs=instrs)


_BUGS = [(Opcode.MULF, dict(imm=15)), (Opcode.SHR, dict(op=Opcode.TSHR)),
         (Opcode.SHR, dict(imm=14)), (Opcode.CGT, dict(op=Opcode.CGE)),
         (Opcode.SUB, dict(op=Opcode.ADD)), (Opcode.CGE, dict(op=Opcode.CGT))]


@pytest.mark.parametrize("op, change", _BUGS, ids=[f"{o.name}-{c}" for o, c in _BUGS])
def test_a_bug_in_the_program_is_caught(op, change):
    """No wrap of the product before the floor, truncating instead of
    flooring, a wrong shift, >= for > (and back), + for -: each
    one-instruction change makes the comparison above fail."""
    with pytest.raises(AssertionError):
        _compare(_broken(rfzero(2, ports=(0, 1)), op, change), (0, 1), 21)


def test_ports_are_checked():
    with pytest.raises(ValueError, match=r"rfzero: ports \(0, 2\) must name port 0 or 1"):
        rfzero(2, ports=(0, 2))
