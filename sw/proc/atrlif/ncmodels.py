"""Chip model of ATRLIF: program ``atrlif`` (kilauea.neurons.atrlif), equal
to the CPU ``fixed_pt`` model (``PyATRLIFModelFixed``) where the chip can
hold it; the other cases are a CompileError that names the process, the
parameter and the reason:

- an integer ``delta_i`` (lava-nc's current product is then int32 and wraps);
- a ``delta_i`` whose factor ``4096 - (4096 delta_i + 1)`` is not a multiple
  of 2**-10 or is 2**21 or more in magnitude (lava-nc multiplies by it in
  float64; the chip's integer product equals that only for these factors);
- a decay ``delta_v``, ``delta_theta``, ``delta_r`` whose factor
  ``trunc(4096 - 4096 d)`` leaves 32 bits;
- input straight from a host process (its values enter lava-nc's model in
  their own dtype, float or int16; the chip adds int32 sums): feed ATRLIF
  through a chip Dense or Sparse.
"""
from __future__ import annotations

import math

import numpy as np

from ...compiler.errors import CompileError
from ...compiler.ncmodel import NcNeuronModel, VarValues
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...hw import fixed_point as fp
from ...neurons.atrlif import CURRENT_FRAC_BITS, atrlif
from ...numerics import atrlif as na
from .._ncbase import LibraryProgram, pop_scalar, pop_vector
from .process import ATRLIF

__all__ = ["NcATRLIFModel", "chip_constants"]

_STATE = ("i", "v", "theta", "r")
_I32 = 2**31


def _fail(proc, param: str, reason: str):
    raise CompileError(f"process '{proc.name}' (ATRLIF), parameter {param}: {reason}; the chip "
                       f"model cannot reproduce the CPU fixed-point model here (run it with "
                       f"CpuSimCfg)")


def chip_constants(proc, vals: VarValues) -> dict:
    """The profile constants of ``proc``'s population (CompileError where the
    program cannot equal the CPU fixed-point model)."""
    raw_di = proc.delta_i.init
    if na.product_arith(raw_di) is na.ProductArith.INT32:
        _fail(proc, "delta_i", f"delta_i={raw_di!r} is an integer, so lava-nc's product "
              f"i * (4096 - (4096 delta_i + 1)) is int32 and wraps; give it as a float "
              f"(e.g. {float(raw_di)!r})")
    delta_i = float(pop_scalar(proc, vals, "delta_i"))
    factor = fp.DECAY_ONE - (delta_i * fp.DECAY_ONE + 1)
    scaled = factor * (1 << CURRENT_FRAC_BITS)
    if not math.isfinite(scaled) or scaled != math.floor(scaled) or abs(factor) >= 2**21:
        _fail(proc, "delta_i", f"delta_i={delta_i!r} gives the current's factor "
              f"4096 - (4096 delta_i + 1) = {factor!r}, which lava-nc multiplies in float64; "
              f"the chip reproduces it only for a multiple of 2**-{CURRENT_FRAC_BITS} below "
              f"2**21 in magnitude (delta_i a multiple of 2**-22, e.g. "
              f"{round(delta_i * 4096) / 4096!r})")
    out = {"fi": int(scaled)}
    for name, word in (("delta_v", "fv"), ("delta_theta", "ftheta"), ("delta_r", "fr")):
        d = float(pop_scalar(proc, vals, name))
        f = fp.DECAY_ONE - d * fp.DECAY_ONE
        if not math.isfinite(f) or not -_I32 <= int(f) < _I32:
            _fail(proc, name, f"{name}={d!r} gives the factor trunc(4096 - 4096 {name}) = {f!r}, "
                  f"outside 32 bits")
        out[word] = int(f)
    for name in ("theta_0", "theta_step"):
        out[name] = int(na.scale_threshold(pop_scalar(proc, vals, name)))
    return out


@implements(proc=ATRLIF, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcATRLIFModel(LibraryProgram, NcNeuronModel):
    """ATRLIF on the chip: program `atrlif` (input from chip connections only)."""

    var_words = {"i": "i", "v": "v", "theta": "theta", "r": "r",
                 "bias_mant": "bias_mant", "bias_exp": "bias_exp"}
    host_vars = ("s", "delta_i", "delta_v", "delta_theta", "delta_r", "theta_0", "theta_step")
    direct_host_input = ("ATRLIF's chip model adds the chip's int32 sums; a host process's "
                         "values enter lava-nc's model in their own dtype (float, int16), which "
                         "the chip cannot reproduce: feed it through a Dense or Sparse")

    library_program = staticmethod(atrlif)

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        out = chip_constants(proc, vals)
        for name in _STATE + ("bias_mant", "bias_exp"):
            out[name] = pop_vector(proc, vals, name)
        if (id(proc), "theta") not in vals.overrides:
            # the CPU model sets every theta to theta_0 before its first step
            out["theta"] = np.full_like(np.asarray(out["theta"], dtype=np.int64),
                                        out["theta_0"])
        return out
