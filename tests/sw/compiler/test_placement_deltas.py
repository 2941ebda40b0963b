"""The placement's vectorised swap costs (`_Problem.swap_deltas`, used by the
swap descent) equal the one-pair `swap_delta` (used by annealing) exactly, on
random traffic, host traffic and partly filled meshes."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea.compiler import placement as pl


@pytest.mark.parametrize("seed", range(20))
def test_swap_deltas_equal_swap_delta(seed):
    rng = np.random.default_rng(seed)
    w, h = int(rng.integers(1, 7)), int(rng.integers(1, 7))
    n = int(rng.integers(1, w * h + 1))
    traffic = (rng.integers(0, 50, (n, n)) * (rng.random((n, n)) < 0.4)).astype(float)
    prob = pl._Problem(traffic, rng.integers(0, 9, n).astype(float), w, h)
    slot = rng.permutation(w * h)[:n]
    occupant = prob._occupant(slot)
    for a in range(w * h):
        bs = np.arange(w * h)
        got = prob.swap_deltas(slot, occupant, a, bs)
        want = [prob.swap_delta(slot, occupant, a, int(b)) for b in bs]
        assert got.tolist() == want, f"seed {seed}, tile {a}"
