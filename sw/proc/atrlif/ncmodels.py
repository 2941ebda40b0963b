"""Chip model of ATRLIF: program ``atrlif`` (kilauea.neurons.atrlif), equal
to the CPU ``fixed_pt`` model (``PyATRLIFModelFixed``) bit for bit, lava-nc's
float64 current product included. Where the program cannot hold a process
the compiler raises a ``ChipRefusal`` naming the parameter, its value and
the limit, and (``host_fallback``) the process runs on the host with its CPU
model beside the chip unless the run config demands the chip:

- an integer ``delta_i`` (lava-nc's current product is then int32 and wraps);
- a ``delta_i`` whose factor ``4096 - (4096 delta_i + 1)`` is -4096 or less,
  or 4096 or more;
- a decay ``delta_v``, ``delta_theta``, ``delta_r`` whose factor
  ``trunc(4096 - 4096 d)`` leaves 32 bits;
- an initial ``v`` outside -2**30 .. 2**30 - 1 (its word also holds ``s``),
  a bias beyond the chip's widths (``docs/neuron-programs.md``);
- input straight from a host process (its values enter lava-nc's model in
  their own dtype, float or int16; the chip adds int32 sums).

Vars: ``i``, ``theta``, ``r`` are state words, ``v`` and ``s`` share one
(``2 v + s``), ``theta_0`` and ``theta_step`` are profile constants holding
the values the CPU model holds after its first step (times 64, truncated),
the decays are host copies.
"""
from __future__ import annotations

import math

import numpy as np

from ...compiler.errors import ChipRefusal
from ...compiler.ncmodel import NcNeuronModel, VarValues
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...hw import fixed_point as fp
from ...neurons.atrlif import atrlif, current_factor
from ...numerics import atrlif as na
from .._ncbase import LibraryProgram, pop_scalar, pop_vector
from .process import ATRLIF

__all__ = ["NcATRLIFModel", "chip_constants"]

_I32 = 2**31
_V_WORD = 2**30


def _refuse(proc, param: str, reason: str):
    raise ChipRefusal(f"process '{proc.name}' (ATRLIF), parameter {param}: {reason}; the chip "
                      f"model cannot reproduce the CPU fixed-point model here (it runs on the "
                      f"host unless the chip is demanded)", proc)


def _threshold(proc, vals: VarValues, name: str) -> int:
    """theta_0 / theta_step as the CPU model holds them after its first step:
    a recompile's value is the chip word (already scaled), else the Var's
    value times 64."""
    if (id(proc), name) in vals.overrides:
        return int(pop_scalar(proc, vals, name))
    return int(na.scale_threshold(pop_scalar(proc, vals, name)))


def chip_constants(proc, vals: VarValues) -> dict:
    """The profile constants of ``proc``'s population (ChipRefusal where the
    program cannot equal the CPU fixed-point model)."""
    raw_di = proc.delta_i.init
    if na.product_arith(raw_di) is na.ProductArith.INT32:
        _refuse(proc, "delta_i", f"delta_i={raw_di!r} is an integer, so lava-nc's product "
                f"i * (4096 - (4096 delta_i + 1)) is int32 and wraps; the chip forms it as "
                f"float64 does (give it as a float, e.g. {float(raw_di)!r})")
    delta_i = float(pop_scalar(proc, vals, "delta_i"))
    factor = fp.DECAY_ONE - (delta_i * fp.DECAY_ONE + 1)
    try:
        out = current_factor(factor).words()
    except ValueError:
        _refuse(proc, "delta_i", f"delta_i={delta_i!r} gives the current's factor "
                f"4096 - (4096 delta_i + 1) = {factor!r}; the chip's limit is -4096 < factor "
                f"< 4096 (-1/4096 < delta_i < 8191/4096)")
    for name, word in (("delta_v", "fv"), ("delta_theta", "ftheta"), ("delta_r", "fr")):
        d = float(pop_scalar(proc, vals, name))
        f = fp.DECAY_ONE - d * fp.DECAY_ONE
        if not math.isfinite(f) or not -_I32 <= int(f) < _I32:
            _refuse(proc, name, f"{name}={d!r} gives the factor trunc(4096 - 4096 {name}) = "
                    f"{f!r}; the chip's limit is 32 bits (-2**31 .. 2**31 - 1)")
        out[word] = int(f)
    for name in ("theta_0", "theta_step"):
        out[name] = _threshold(proc, vals, name)
    return out


def _v_word(proc, vals: VarValues) -> np.ndarray:
    """The word ``2 v + s`` (a non-integer v: the fixed-point check names it)."""
    v = np.asarray(pop_vector(proc, vals, "v"))
    s = np.asarray(pop_vector(proc, vals, "s")).astype(np.int64)
    if v.dtype.kind == "f" and not np.all(v == np.round(v)):
        return v
    v = v.astype(np.int64)
    bad = np.flatnonzero((v < -_V_WORD) | (v >= _V_WORD))
    if bad.size:
        _refuse(proc, "v", f"v={int(v[bad[0]])} (neuron {int(bad[0])}); the chip's limit is "
                f"-2**30 .. 2**30 - 1 (v's word also holds s)")
    return v * 2 + s


@implements(proc=ATRLIF, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcATRLIFModel(LibraryProgram, NcNeuronModel):
    """ATRLIF on the chip: program `atrlif` (input from chip connections only)."""

    var_words = {"i": "i", "v": "v", "s": "v", "theta": "theta", "r": "r",
                 "bias_mant": "bias_mant", "bias_exp": "bias_exp",
                 "theta_0": "theta_0", "theta_step": "theta_step"}
    var_fields = {"v": (1, 31, True), "s": (0, 1, False)}
    host_vars = ("delta_i", "delta_v", "delta_theta", "delta_r")
    host_fallback = True
    direct_host_input = ("ATRLIF's chip model adds the chip's int32 sums; a host process's "
                         "values enter lava-nc's model in their own dtype (float, int16), which "
                         "the chip cannot reproduce: feed it through a Dense or Sparse")

    library_program = staticmethod(atrlif)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        out = chip_constants(proc, vals)
        for name in ("i", "theta", "r", "bias_mant", "bias_exp"):
            out[name] = pop_vector(proc, vals, name)
        out["v"] = _v_word(proc, vals)
        if (id(proc), "theta") not in vals.overrides:
            # the CPU model sets every theta to theta_0 before its first step
            out["theta"] = np.full_like(np.asarray(out["theta"], dtype=np.int64),
                                        out["theta_0"])
        return out
