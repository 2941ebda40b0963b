"""`kilauea.sim.verilator.convert.to_rtlil` writes the same RTLIL as
Amaranth's ``rtlil.convert``, character for character: random memories
(widths 1-70 bits, signed and unsigned words, all-zero and random
initialisers, one word and more) and the chip's core."""
import random

import pytest
from amaranth.back import rtlil
from amaranth.hdl import Module, signed, unsigned
from amaranth.lib import memory, wiring
from amaranth.lib.wiring import In, Out

from kilauea.hw.params import ChipParams
from kilauea.sim.verilator.convert import meminit_bits, to_rtlil
from kilauea.sim.verilator.tiled import CoreTile


class Memories(wiring.Component):
    """Memories with the given (shape, init) each, a read and a write port each."""

    def __init__(self, specs):
        self.specs = specs
        super().__init__({"addr": In(8), "data": In(70), "we": In(1), "out": Out(70 * len(specs))})

    def elaborate(self, platform):
        m = Module()
        outs = []
        for i, (shape, init) in enumerate(self.specs):
            mem = memory.Memory(shape=shape, depth=len(init), init=init)
            m.submodules[f"mem{i}"] = mem
            wr, rd = mem.write_port(), mem.read_port(domain="comb")
            m.d.comb += [wr.addr.eq(self.addr), wr.data.eq(self.data), wr.en.eq(self.we),
                         rd.addr.eq(self.addr)]
            outs.append(rd.data)
        for i, o in enumerate(outs):
            m.d.comb += self.out[70 * i:70 * i + len(o)].eq(o)
        return m


def _random_specs(rng: random.Random):
    specs = []
    for _ in range(rng.randint(1, 5)):
        width = rng.randint(1, 70)
        shape = signed(width) if rng.random() < 0.5 else unsigned(width)
        depth = rng.randint(1, 40)
        if shape.signed:
            lo, hi = -(1 << width - 1), (1 << width - 1) - 1
        else:
            lo, hi = 0, (1 << width) - 1
        kind = rng.random()
        init = [0] * depth if kind < 0.3 else [rng.randint(lo, hi) for _ in range(depth)]
        specs.append((shape, init))
    return specs


@pytest.mark.parametrize("seed", range(8))
def test_to_rtlil_equals_amaranths_on_random_memories(seed):
    specs = _random_specs(random.Random(seed))
    want = rtlil.convert(Memories(specs), name="top", emit_src=False)
    got = to_rtlil(Memories(specs), "top")
    assert "$meminit_v2" in want
    shapes = [(s, len(i)) for s, i in specs]
    assert got == want, f"seed {seed}: the RTLIL differs (memories {shapes})"


def test_to_rtlil_equals_amaranths_on_the_core():
    params = ChipParams().with_(mesh_w=1, mesh_h=1)
    want = rtlil.convert(CoreTile(params), name="kl_core", emit_src=False)
    assert to_rtlil(CoreTile(params), "kl_core") == want


def test_meminit_bits_orders_the_last_word_first_msb_first():
    assert meminit_bits((1, 2, 0), 3) == "000" "010" "001"
    assert meminit_bits((-1, 0), 4) == "0000" "1111"
    assert meminit_bits((0, 0), 5) == "0" * 10


def test_amaranth_is_restored_after_to_rtlil():
    before = rtlil.ModuleEmitter.emit_memory
    to_rtlil(Memories([(unsigned(4), [1, 2])]), "top")
    assert rtlil.ModuleEmitter.emit_memory is before
