"""The compiled engine against the Amaranth-simulator engine on the NoC with
the NoC tests' test cores (chains of spikes wandering the mesh, random work
per step): identical host-bound packets, cycle counts and read results."""
import random

import numpy as np
import pytest

from kilauea.hw import packet
from kilauea.sim.engine import ChipHangError
from kilauea.sim.engines.pysim import PysimEngine

from compiled_helpers import CXX_NOC_PARAMS, NOC_PARAMS, make_testcore_noc, make_testcore_engine

P = NOC_PARAMS


def scenario(engine, seed: int, steps: int = 8) -> list:
    """Random register writes, input chains, steps and reads; everything the
    host sees, in order."""
    rng = random.Random(seed)
    seen = []
    for x, y in P.tiles():     # WORK, EMIT, LENGTH registers of each test core
        engine.write_words((x, y), 0, [0, 1, 2],
                           [rng.randrange(0, 30), rng.randrange(0, 3), rng.randrange(1, 6)])
    for t in range(1, steps + 1):
        n = rng.randrange(0, 6)
        flits = packet.encode_array(
            packet.Kind.SPIKE, [rng.randrange(P.mesh_w) for _ in range(n)],
            [rng.randrange(P.mesh_h) for _ in range(n)], 0, axon=list(range(n)),
            payload=[rng.randrange(1, 6) for _ in range(n)], step=(t - 1) % 256)
        r = engine.step(t, flits)
        seen.append(("step", t, r.cycles, r.host_axon.tolist(), r.host_payload.tolist()))
        tile = (rng.randrange(P.mesh_w), rng.randrange(P.mesh_h))
        addrs = [rng.randrange(4) for _ in range(rng.randrange(1, 12))]
        seen.append(("read", tile, engine.read_words(tile, 0, addrs).tolist()))
        if rng.random() < 0.5:
            engine.write_words(tile, 0, 1, [rng.randrange(0, 4)])
    seen.append(("io_cycles", engine.io_cycles))
    return seen


@pytest.mark.parametrize("seed", [1, 2])
def test_same_as_pysim(testcore_model, seed):
    with make_testcore_engine() as ce:
        got = scenario(ce, seed)
    with PysimEngine(P, chip=make_testcore_noc(), backdoor=False) as pe:
        want = scenario(pe, seed)
    assert got == want, f"seed {seed}"
    assert any(s[0] == "step" and s[3] for s in got), "no host-bound spike at all"


def test_reads_respect_the_cap(testcore_model):
    """More reads than max_host_reads in one batch: answered in order."""
    with make_testcore_engine() as ce:
        vals = [11, 22, 33, 4]
        ce.write_words((1, 1), 0, 0, vals)
        addrs = [i % 4 for i in range(3 * P.max_host_reads + 1)]
        assert ce.read_words((1, 1), 0, addrs).tolist() == [vals[a] for a in addrs]


def test_hang_names_the_stuck_tile(testcore_model):
    """The hang report's snapshot comes from CXXRTL's debug items."""
    with make_testcore_engine(CXX_NOC_PARAMS, max_cycles=300, backend="cxxrtl") as ce:
        ce.step(1, None)
        ce.write_words((1, 0), 0, 3, [1])          # STUCK: never idle after STEP
        with pytest.raises(ChipHangError) as info:
            ce.step(2, None)
    err = info.value
    assert err.step == 2
    assert err.busy_tiles == [(1, 0)]
    assert "tile (1,0): core busy" in str(err)


def test_held_host_out_hangs(testcore_model):
    """With host_out held, the chains' spikes wait in the host port's output
    queue and the step cannot finish; the report shows them there."""
    with make_testcore_engine(CXX_NOC_PARAMS, max_cycles=200, backend="cxxrtl") as ce:
        ce.write_words((0, 0), 0, [1, 2], [2, 2])   # two chains of two hops per step
        ce.hold_host_out(True)
        with pytest.raises(ChipHangError) as info:
            ce.step(1, None)
    assert "host port output: 2 flit(s)" in str(info.value)


def test_verilator_hang_reports_the_status_word(testcore_model):
    """Verilator has no debug items: the report names the step, the bound and
    the host port's status word."""
    with make_testcore_engine(max_cycles=300, backend="verilator") as ce:
        ce.step(1, None)
        ce.write_words((1, 0), 0, 3, [1])
        with pytest.raises(ChipHangError, match=r"step 2 did not complete within 300 cycles"
                           r".*status word \d+") as info:
            ce.step(2, None)
    assert info.value.step == 2
