"""`VarValues`: the Var values one compile reads, passed to the chip models'
hooks explicitly (no thread-local channel)."""
import dataclasses

import numpy as np
import pytest
from scipy import sparse

from kilauea import LIF, Sparse
from kilauea.compiler.ncmodel import VarValues
from kilauea.proc.lif.ncmodels import NcLifModel


def test_without_overrides_a_var_reads_its_init():
    lif = LIF(shape=(3,), vth=9)
    v = VarValues().get(lif, "vth")
    assert np.array_equal(v, np.asarray(lif.vth.init_value()))


def test_overrides_are_copied_and_sparse_stays_sparse():
    lif = LIF(shape=(3,), v=[1, 2, 3])
    given = np.array([7, 8, 9])
    w = sparse.csr_matrix(np.eye(3, dtype=np.int32))
    syn = Sparse(weights=w)
    vals = VarValues({(id(lif), "v"): given, (id(syn), "weights"): w})
    got = vals.get(lif, "v")
    got[0] = 0
    assert given.tolist() == [7, 8, 9] and vals.get(lif, "v").tolist() == [7, 8, 9]
    sw = vals.get(syn, "weights")
    assert sparse.issparse(sw) and sw is not w
    assert np.asarray(vals.get(lif, "u")).tolist() == [0, 0, 0]    # not overridden


def test_values_are_frozen_and_the_hooks_read_through_them():
    lif = LIF(shape=(2,), v=[1, 2])
    given = {(id(lif), "v"): np.array([5, 6])}
    vals = VarValues(given)
    given[(id(lif), "u")] = np.array([1, 1])          # the caller's mapping is not kept
    with pytest.raises(dataclasses.FrozenInstanceError):
        vals.overrides = {}
    with pytest.raises(TypeError):
        vals.overrides[(id(lif), "v")] = 0
    assert NcLifModel.values(lif, vals)["v"].tolist() == [5, 6]
    assert NcLifModel.values(lif, vals)["u"].tolist() == [0, 0]
    assert NcLifModel.values(lif, VarValues())["v"].tolist() == [1, 2]
