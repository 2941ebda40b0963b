"""Chip model of RF: program ``rf`` (kilauea.neurons.rf), equal to the CPU
``fixed_pt`` model (``PyRFModelFixed``) bit for bit. Its two input ports
(``a_real_in``, ``a_imag_in``) fill accumulator groups of their own. Where
the program cannot hold a process the compiler raises a ``ChipRefusal``
naming the parameter, its value and the limit, and (``host_fallback``) the
process runs on the host with its CPU model unless the run config demands
the chip:

- ``decay_bits`` outside 1..31 (the CPU fixed-point model needs it > 0);
- a decay ``sin_decay``, ``cos_decay`` of ``2**(decay_bits + 6)`` or more
  in magnitude (the program's 32-bit sums would leave the CPU model's
  int64 ones);
- ``state_exp`` outside 0..31, a non-integer ``vth``, an initial ``real``
  or ``imag`` beyond 24 bits (the fixed-point check);
- input straight from a host process.

Vars: ``real``, ``imag`` are state words; ``sin_decay``, ``cos_decay``,
``state_exp``, ``vth`` profile words; ``decay_bits`` a host copy (it picks
the program: the products' shift is an immediate).
"""
from __future__ import annotations

import numpy as np

from ...compiler.errors import ChipRefusal
from ...compiler.ncmodel import NcNeuronModel, VarValues, program_cached
from ...core.decorators import implements, requires, tag
from ...core.protocols import LoihiProtocol
from ...core.resources import KilaueaNeuroCore
from ...neurons.rf import DECAY_HEADROOM, rf
from .._ncbase import pop_scalar, pop_vector
from .process import RF

__all__ = ["NcRFBase", "NcRFModel"]


class NcRFBase(NcNeuronModel):
    """What RF's and RF_IZ's chip models share (``factory``: the program)."""

    in_ports = ("a_real_in", "a_imag_in")
    var_words = {"real": "real", "imag": "imag", "sin_decay": "sin_decay",
                 "cos_decay": "cos_decay", "state_exp": "state_exp", "vth": "vth"}
    host_vars = ("decay_bits",)
    host_fallback = True
    direct_host_input = ("the CPU model takes a host sender's values as they come (any "
                         "integer width), the chip as 24-bit payloads: feed it through a "
                         "Dense or Sparse")
    factory = staticmethod(rf)

    @classmethod
    def _refuse(cls, proc, param: str, reason: str):
        raise ChipRefusal(f"process '{proc.name}' ({type(proc).__name__}), parameter {param}: "
                          f"{reason}; the chip model cannot reproduce the CPU fixed-point model "
                          f"here (it runs on the host unless the chip is demanded)", proc)

    @classmethod
    def _decay_bits(cls, proc, vals: VarValues) -> int:
        k = pop_scalar(proc, vals, "decay_bits").item()
        if k != int(k) or not 1 <= int(k) <= 31:
            cls._refuse(proc, "decay_bits", f"decay_bits={k!r}; the chip's limit is 1..31")
        return int(k)

    @classmethod
    def program(cls, proc, vals: VarValues, n_groups: int):
        return cls.program_for(proc, vals, (0,) * n_groups)

    @classmethod
    def program_for(cls, proc, vals: VarValues, group_ports: tuple[int, ...]):
        return program_cached(cls.factory, len(group_ports), ports=tuple(group_ports),
                              decay_bits=cls._decay_bits(proc, vals))

    @classmethod
    def values(cls, proc, vals: VarValues) -> dict:
        k = cls._decay_bits(proc, vals)
        out = {}
        for name in ("sin_decay", "cos_decay"):
            d = pop_scalar(proc, vals, name).item()
            if d == int(d) and not abs(int(d)) < 2**(k + DECAY_HEADROOM):
                cls._refuse(proc, name, f"{name}={d!r} with decay_bits={k}; the chip's limit is "
                            f"|{name}| < 2**(decay_bits + {DECAY_HEADROOM}) = "
                            f"{2**(k + DECAY_HEADROOM)}")
            out[name] = d
        out["state_exp"] = pop_scalar(proc, vals, "state_exp")
        out["vth"] = pop_scalar(proc, vals, "vth")
        out["real"] = pop_vector(proc, vals, "real")
        out["imag"] = pop_vector(proc, vals, "imag")
        return out


@implements(proc=RF, protocol=LoihiProtocol)
@requires(KilaueaNeuroCore)
@tag("fixed_pt")
class NcRFModel(NcRFBase):
    """RF on the chip: program `rf` (input from chip connections only)."""
