"""The compile report says why a network occupies the cores it does: spread
to balance a step's work, or split because a core's capacity ran out; and it
labels its cycle figures as estimates."""
from __future__ import annotations

import numpy as np

from kilauea import LIF, ChipCfg, Dense, compile_network
from kilauea.hw.params import ChipParams
from kilauea.runtime.builder import build_network


def _compile(root, params, **kw):
    return compile_network(build_network(root, ChipCfg(params=params)), params, **kw).report


def _dense_net(seed=0, n=200):
    rng = np.random.default_rng(seed)
    l1 = LIF(shape=(n,), vth=10, bias_mant=3, bias_exp=6)
    w = rng.integers(-5, 10, (n, n)) * (rng.random((n, n)) < 0.3)
    d = Dense(weights=w)
    l2 = LIF(shape=(n,), vth=10)
    l1.s_out.connect(d.s_in)
    d.a_out.connect(l2.a_in)
    return l1


def test_balanced_spread_is_explained():
    params = ChipParams()
    rep = _compile(_dense_net(), params)
    dense = _compile(_dense_net(), params, balance=False)
    assert len(rep.cores) > len(dense.cores)
    assert any(n.startswith(f"spread over {len(rep.cores)} cores instead of "
                            f"{len(dense.cores)}") for n in rep.notes), rep.notes
    assert "note: spread over" in str(rep) and "est. cycles" in str(rep)
    assert not any("spread" in n for n in dense.notes)


def test_capacity_split_is_explained():
    params = ChipParams().with_(n_compartments=256)
    rep = _compile(LIF(shape=(600,), vth=10), params, balance=False)
    assert len(rep.cores) == 3
    assert rep.notes == ["split over 3 cores because one core's capacity ran out: "
                         "(0, 0) full of compartments, (1, 0) full of compartments"]


def test_one_core_needs_no_note():
    rep = _compile(LIF(shape=(5,), vth=10), ChipParams())
    assert rep.notes == [] and "note:" not in str(rep)
