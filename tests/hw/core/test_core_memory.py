"""Word layouts of the neurocore memories: pack/unpack round trips, widths,
range errors, accumulator addressing; a default-size core elaborates."""
from __future__ import annotations

import numpy as np
import pytest
from amaranth.hdl import Fragment

from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.words import pack_array
from kilauea.hw.neurocore.core import Core
from kilauea.hw.params import ChipParams

P = ChipParams()


def test_layouts_are_32_bits_and_default_widths():
    for layout in (cm.AXON_LAYOUT, cm.FANOUT_INDEX_LAYOUT, cm.synapse_layout(P)):
        assert layout.size == 32
    assert cm.FANOUT_LAYOUT.size <= 32
    widths = {n: f.width for n, f in ((n, f.shape) for n, f in cm.synapse_layout(P))
              if hasattr(f, "width")}
    assert widths == {"row": 10, "delay": 4, "weight": 18}


def test_pack_unpack_round_trip():
    rng = np.random.default_rng(0)
    n = 1000
    f = dict(row=rng.integers(0, 1024, n), weight=rng.integers(-(1 << 17), 1 << 17, n),
             delay=rng.integers(0, 16, n))
    u = cm.unpack_synapse(P, cm.pack_synapse(P, **f))
    for k, v in f.items():
        np.testing.assert_array_equal(u[k], v)
    a = dict(base=rng.integers(0, 65536, n), count=rng.integers(0, 32768, n), graded=rng.integers(0, 2, n))
    u = cm.unpack_axon(cm.pack_axon(**a))
    for k, v in a.items():
        np.testing.assert_array_equal(u[k], v)
    e = dict(axon=rng.integers(0, 65536, n), x=rng.integers(0, 16, n), y=rng.integers(0, 16, n),
             host=rng.integers(0, 2, n))
    u = cm.unpack_fanout(cm.pack_fanout(**e))
    for k, v in e.items():
        np.testing.assert_array_equal(u[k], v)
    # bit positions are the documented ones
    assert int(cm.pack_axon(1, 2, 1)) == 1 | 2 << 16 | 1 << 31
    assert int(cm.pack_fanout(5, 3, 2, 1)) == 5 | 3 << 16 | 2 << 20 | 1 << 24
    assert int(cm.pack_fanout_index(7, 9)) == 7 | 9 << 16


def test_pack_rejects_out_of_range_naming_the_field():
    with pytest.raises(ValueError, match="weight=140000"):
        cm.pack_synapse(P, 0, 140000)
    with pytest.raises(ValueError, match="count=32768"):
        cm.pack_axon(0, 32768)
    with pytest.raises(ValueError, match="unknown field"):
        pack_array(cm.AXON_LAYOUT, bogus=1)


def test_acc_addressing():
    p = P.with_(n_compartments=12, n_acc_groups=2, n_delay_slots=8, n_acc_rows=24)
    assert p.acc_row_bits == 5 and cm.acc_words(p) == 8 * 32
    s, r = np.meshgrid(np.arange(8), np.arange(24), indexing="ij")
    a = cm.acc_addr(p, s, r)
    assert len(np.unique(a)) == a.size and a.max() < cm.acc_words(p)
    s2, r2 = cm.acc_unaddr(p, a)
    np.testing.assert_array_equal(s2, s)
    np.testing.assert_array_equal(r2, r)
    # the default chip: one row per compartment, D x 1024 words (2 Mbit -> 512 kbit)
    assert P.acc_rows == 1024 and cm.mem_words(P)[Mem.ACCUM] == 16 * 1024
    assert P.with_(n_compartments=512).acc_rows == 512      # follows n_compartments
    with pytest.raises(ValueError, match="n_acc_rows"):
        P.with_(n_acc_rows=0)


def test_default_core_elaborates():
    core = Core(P, 3, 5)
    Fragment.get(core, None)
    assert core.words[Mem.SYNAPSE] == 65536 and core.words[Mem.FANOUT_INDEX] == 1024
    assert set(core.memories()) >= {Mem.AXON, Mem.SYNAPSE, Mem.ACCUM, Mem.FANOUT_INDEX,
                                    Mem.FANOUT, Mem.STATE, Mem.PARAM, Mem.PROFILE, Mem.UCODE}
