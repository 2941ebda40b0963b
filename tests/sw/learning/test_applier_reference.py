"""Bit-exactness with lava-nc 0.10 without lava-nc: its own float and bit-approximate
rule appliers' results on seeded random states (reference/applier_reference.npz,
written by reference/make_applier_reference.py under lava-nc), recomputed here."""
import pathlib

import numpy as np
import pytest

from kilauea.learning import (LearningRuleApplierBitApprox, LearningRuleApplierFloat,
                              ProductSeries, SymbolicEquation)

REFERENCE = pathlib.Path(__file__).parent / "reference" / "applier_reference.npz"
MASKS = {"x0": lambda s: (1, s[1]), "y0": lambda s: (s[0], 1), "u": lambda s: ()}


def _trials():
    """(kind, rule, state dict, init, result) of every stored trial."""
    data = np.load(REFERENCE)
    rules = [str(r) for r in data["rules"]]
    offsets = {}
    for is_float, r, n_post, n_pre in data["trials"].tolist():
        kind = "float" if is_float else "fixed"
        shape = (n_post, n_pre)
        arrays = {}
        for key in [k.split("/", 1)[1] for k in data.files if k.startswith(kind + "/")]:
            item_shape = MASKS.get(key, lambda s: s)(shape)
            size = int(np.prod(item_shape))
            start = offsets.get((kind, key), 0)
            arrays[key] = data[f"{kind}/{key}"][start:start + size].reshape(item_shape)
            offsets[(kind, key)] = start + size
        yield kind, rules[r], arrays


@pytest.mark.parametrize("kind", ["fixed", "float"])
def test_appliers_equal_lava_nc(kind):
    count = 0
    for trial_kind, rule, arrays in _trials():
        if trial_kind != kind:
            continue
        series = ProductSeries(SymbolicEquation("dw", rule))
        init, want = arrays.pop("init"), arrays.pop("result")
        args = dict(arrays, u=int(arrays["u"]), x0=arrays["x0"].astype(bool),
                    y0=arrays["y0"].astype(bool), shape=init.shape)
        applier = (LearningRuleApplierBitApprox if kind == "fixed"
                   else LearningRuleApplierFloat)(series)
        got = np.broadcast_to(applier.apply(init, **args), init.shape)
        assert got.tolist() == want.tolist(), f"{kind} rule {rule!r}, trial {count}"
        count += 1
    assert count >= 20
