"""Helpers shared by the process library's chip (neurocore) models (no
public names): reading a population's Vars as program words, a neuron
program from the library by name, the user's weights of a connection."""
from __future__ import annotations

import numpy as np
from scipy import sparse

from .. import numerics as nx
from ..compiler.ncmodel import VarValues, program_cached


def pop_vector(proc, vals: VarValues, name: str) -> np.ndarray:
    """Var ``name`` (as ``vals`` gives it) broadcast to the population
    (``s_out``'s shape), flat in C order."""
    shape = tuple(proc.s_out.shape)
    return np.broadcast_to(np.asarray(vals.get(proc, name)), shape).reshape(int(np.prod(shape)))


def pop_scalar(proc, vals: VarValues, name: str):
    """Var ``name``'s first (only) element (as ``vals`` gives it)."""
    return np.asarray(vals.get(proc, name)).reshape(-1)[0]


def pop_values(proc, vals: VarValues, var_words: dict, scalars) -> dict:
    """Program word -> value for each Var of ``var_words`` (as ``vals``
    gives it): the Vars named in ``scalars`` as one number, the others per
    neuron."""
    return {word: pop_scalar(proc, vals, var) if var in scalars
            else pop_vector(proc, vals, var)
            for var, word in var_words.items()}


class LibraryProgram:
    """Mixin of an ``NcNeuronModel`` whose program is one library factory
    without options: ``library_program`` (a staticmethod)."""

    library_program = None

    @classmethod
    def program(cls, proc, vals: VarValues, n_groups: int):
        return program_cached(cls.library_program, n_groups)


class HostWeights:
    """Mixin of an ``NcConnectionModel`` whose weights are the Var
    ``weights``, which the CPU fixed-point model re-prepares after a set
    (``prepared_vars``)."""

    prepared_vars = ("weights",)

    @classmethod
    def prepare_var(cls, proc, name, value):
        return prepared_weights(proc, value)

    @classmethod
    def raw_weights(cls, proc, vals: VarValues):
        return vals.get(proc, "weights")


def prepared_weights(proc, w):
    """The weights the fixed-point CPU model computes with: int32 cast of
    `w` (a value of the Var ``weights``, dense or sparse; not modified),
    then sign mode / clip / truncate."""
    w = w.copy() if sparse.issparse(w) else np.array(w)
    if sparse.issparse(w):
        w = sparse.csr_matrix(w).astype(np.int32)   # the CPU model's LavaPyType cast
    else:
        w = np.asarray(w)
        if w.dtype.kind == "f":
            w = w.astype(np.int32)
    return nx.prepare_weights(w, proc.proc_params.get("sign_mode", None),
                              proc.proc_params.get("num_weight_bits", nx.WEIGHT_BITS))
