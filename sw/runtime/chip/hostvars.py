"""Host-only chip Vars: Vars the chip holds only in compiled form (Dense
weights and delays, neuron options the compiler folds into the images).

``get`` serves the host copy (as the CPU fixed-point model holds it); ``set``
updates the host copy, then the executor recompiles the chip part with the
current values and reloads it into the same engine, carrying the chip's
state over (``ChipExecutor.reload``). On any error the host copy and the
chip are left as they were (docs/chip-runtime.md, "Setting host-only Vars").
"""
from __future__ import annotations

import typing as ty

import numpy as np

from ...core.exceptions import KilaueaError
from ...core.variable import Var, _is_sparse
from ...core.variable import check_fits

__all__ = ["HostVars", "assign"]


def assign(var: Var, new: np.ndarray, arr: np.ndarray, idx) -> None:
    """new[idx] = arr (the whole Var for idx None), with the Var's name on error."""
    try:
        if idx is None:
            new[...] = arr.reshape(var.shape) if arr.size == new.size else arr
        else:
            new[idx] = arr
    except (ValueError, TypeError) as e:
        raise ValueError(f"Var {var.full_name()}: cannot set a {arr.shape} value: "
                         f"{e}") from None


class HostVars:
    """The host copies of one chip executor's host-only Vars."""

    #: host-only Vars a set cannot carry to the chip: what they hold is the
    #: in-flight synaptic input, which lives in the chip's accumulators
    UNSETTABLE = ("a_buff",)

    def __init__(self, executor):
        self.executor = executor
        self._copy: dict = {}          # Var -> value
        self._set_at: dict = {}        # Var -> steps done when last set/prepared

    def copies(self) -> dict:
        """(id(process), Var name) -> host copy, for every Var set or read."""
        return {(id(v.process), v.name): val for v, val in self._copy.items()}

    def get(self, var: Var, idx=None):
        val = self._copy.get(var)
        if val is None:
            val = self._copy[var] = var.init_value()
        val = self._as_cpu_keeps(var, val)
        if _is_sparse(val):
            return val.copy() if idx is None else val.toarray()[idx]
        out = np.array(val)
        return out if idx is None else out[idx]

    def _as_cpu_keeps(self, var: Var, val):
        """The host copy as the CPU fixed_pt model holds it: a Var its chip
        model lists in ``prepared_vars`` (Dense weights) is replaced by the
        prepared value (sign mode, clip, truncate) in the first step after
        it was set (``prepare_model_weights``); so is the chip's, from the
        same step on."""
        ex = self.executor
        chip = ex.chip_model(var)
        if (var.name not in getattr(chip, "prepared_vars", ())
                or not getattr(ex.twin(var), "fixed_point", False)
                or ex.node.steps_done <= self._set_at.get(var, 0)):
            return val
        val = chip.prepare_var(var.process, var.name, val)
        self._copy[var] = val
        self._set_at[var] = ex.node.steps_done
        return val

    def _check_settable(self, var: Var) -> None:
        if not self.executor.compiled.layouts:
            raise KilaueaError(
                f"Var {var.full_name()} cannot be set while the network is on the chip: the "
                f"chip holds it only in compiled form and this compiled network has no "
                f"population layouts to recompile it with (it was not made by "
                f"kilauea.compiler.compile_network); set it before the first run")
        if var.name in self.UNSETTABLE:
            raise KilaueaError(
                f"Var {var.full_name()} cannot be set while the network is on the chip: it is "
                f"the in-flight synaptic input, held in the chip's accumulators")

    def _updated(self, var: Var, cur, value, idx):
        """The new host copy: `cur` with `value` set at `idx` (all for None),
        held in the CPU model's dtype (no silent truncation)."""
        if _is_sparse(cur) or (idx is None and _is_sparse(value)):
            if idx is None:
                new = value.copy() if _is_sparse(value) else type(cur)(np.asarray(value))
                return new.astype(cur.dtype) if _is_sparse(cur) else new
            dense = cur.toarray()
            dense[idx] = value
            return type(cur)(dense)
        dt = self.executor.dtype_of(var, np.asarray(cur).dtype)
        new = np.array(np.broadcast_to(np.asarray(cur), var.shape), dtype=dt)
        arr = np.asarray(value)
        check_fits(var, arr, new.dtype)     # as the CPU model: no silent truncation
        assign(var, new, arr, idx)
        return new

    def set(self, var: Var, value, idx=None) -> None:
        """Update the host copy as the CPU model would, then recompile and
        reload the chip (``executor.reload``); undone on any error."""
        self._check_settable(var)
        cur = self.get(var)                  # the value the CPU model holds now
        at: ty.Optional[int] = self._set_at.get(var)
        self._copy[var] = self._updated(var, cur, value, idx)
        self._set_at[var] = self.executor.node.steps_done
        try:
            self.executor.reload()
        except BaseException:
            self._copy[var] = cur
            if at is None:
                self._set_at.pop(var, None)
            else:
                self._set_at[var] = at
            raise
