"""STATE and PARAM banks: `compartment_memory.Banked` splits a flat image
over the banks exactly as the engine's address decode places the words."""
from __future__ import annotations

import numpy as np
import pytest

from kilauea.hw import isa
from kilauea.hw.neurocore import compartment_memory as cm
from kilauea.hw.params import ChipParams

SEED = 14


@pytest.mark.parametrize("n_lanes,n_comp", [(1, 5), (2, 7), (4, 13), (4, 16), (8, 9), (2, 21),
                                            (4, 70), (4, 64), (1, 40)])
def test_split_places_each_word_in_its_compartments_bank(n_lanes, n_comp):
    rng = np.random.default_rng(SEED + n_lanes * 100 + n_comp)
    params = ChipParams(n_compartments=n_comp, n_lanes=n_lanes)
    w = cm.STATE_WORDS
    run = isa.LANE_SLOTS
    banked = cm.Banked(tuple(range(n_lanes)), w, n_comp * w, run)
    for size in (0, 1, w, n_comp * w - 1, n_comp * w, int(rng.integers(0, n_comp * w + 1))):
        words = rng.integers(0, 1 << 32, size, dtype=np.int64)
        parts = banked.split(words)
        assert sum(p.size for p in parts) == size, f"seed {SEED} size {size}"
        for a, word in enumerate(words):
            c, i = divmod(a, w)
            bank = (c // run) % n_lanes                         # lane (c // K) mod L
            local = ((c // (run * n_lanes)) * run + c % run) * w + i
            assert parts[bank][local] == word, f"seed {SEED}: word {a}"
        for p in parts:
            assert p.size <= cm.bank_rows(params) * w
        assert max(p.size for p in banked.split(np.zeros(n_comp * w))) == \
            cm.bank_rows(params) * w
        full = [np.resize(p, cm.bank_rows(params) * w) for p in parts]
        np.testing.assert_array_equal(banked.join(full)[:size], words)


def test_bank_images_of_a_plain_memory_is_itself():
    words = np.arange(6)
    [(mem, part)] = cm.bank_images("plain", words)
    assert mem == "plain"
    np.testing.assert_array_equal(part, words)


def test_banked_rejects_an_image_too_deep_and_odd_shapes():
    with pytest.raises(ValueError, match="does not fit"):
        cm.Banked((0, 1), 4, 8).split(np.arange(9))
    with pytest.raises(ValueError, match="banks = 3 must be a power of two"):
        cm.Banked((0, 1, 2), 4, 12)
    with pytest.raises(ValueError, match="run = 6 must be a power of two"):
        cm.Banked((0, 1), 4, 12, 6)
