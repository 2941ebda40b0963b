"""Bad neuron-engine input: the RTL (Amaranth simulator, one tile) flags it
exactly as the golden model does and changes nothing else
(docs/isa.md "Errors", docs/neurocore.md "Status")."""
from __future__ import annotations

import numpy as np

from kilauea.hw import isa
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import compartment_memory as ncm
from kilauea.hw.neurocore import core_memory as cm
from kilauea.sim.engines import GoldenEngine
from kilauea.sim.engines.pysim import PysimEngine

from sim_chip_images import SMALL, build_images, host_inputs

ONE = SMALL.with_(mesh_w=1, mesh_h=1)
TILE = (0, 0)
BAD_OPCODE = 1 << cm.ErrorFlag.BAD_OPCODE


def _run_both(params, images, patch, steps=3, inputs=False):
    """Run `steps` steps on the RTL and the golden model after `patch(engine)`;
    returns (STATE, STATUS[0:2], host spikes) per engine."""
    out = []
    gold = GoldenEngine(params)
    with PysimEngine(params) as rtl:
        for e in (rtl, gold):
            e.load_images(images)
            patch(e)
            spk = []
            for t in range(1, steps + 1):
                r = e.step(t, host_inputs(params, t, 1) if inputs else None)
                spk.append(sorted(zip(r.host_axon.tolist(), r.host_payload.tolist())))
            n = int(e.read_words(TILE, Mem.CONFIG, [cm.Config.N_COMPARTMENTS])[0])
            out.append((e.read_words(TILE, Mem.STATE, np.arange(n * ncm.STATE_WORDS)).tolist(),
                        e.read_words(TILE, Mem.STATUS, [0, 1]).tolist(), spk))
    return out


def _reference(params, images, steps=3):
    """STATE after `steps` steps of the unpatched images (golden)."""
    g = GoldenEngine(params)
    g.load_images(images)
    for t in range(1, steps + 1):
        g.step(t, None)
    return g


def test_profile_entry_past_ucode_is_flagged_and_skipped():
    images = build_images(ONE, 3)
    prof0 = [c for c in range(12)
             if int(ncm.unpack_param_header(images[TILE][Mem.PARAM][c * ncm.PARAM_WORDS])) == 0]
    assert prof0
    rtl, gold = _run_both(ONE, images,
                          lambda e: e.write_words(TILE, Mem.PROFILE, [0], [ONE.n_ucode]))
    assert rtl == gold
    state, status, _ = rtl
    # one error per compartment of profile 0 per step; their state never changes
    assert status == [BAD_OPCODE, 3 * len(prof0)]
    init = images[TILE][Mem.STATE]
    for c in prof0:
        assert state[4 * c:4 * c + 4] == [int(v) for v in init[4 * c:4 * c + 4]]


def test_profile_index_out_of_range_is_flagged_and_skipped():
    images = build_images(ONE, 3)
    ref = _reference(ONE, images)
    for bad in (ONE.n_profiles, ONE.n_profiles + 1):     # 4 (mod 4 = 0) and 5 (mod 4 = 1)
        rtl, gold = _run_both(ONE, images,
                              lambda e: e.write_words(TILE, Mem.PARAM, [1 * ncm.PARAM_WORDS], [bad]))
        assert rtl == gold, bad
        state, status, _ = rtl
        assert status == [BAD_OPCODE, 3], bad
        init = [int(v) for v in images[TILE][Mem.STATE][4:8]]
        assert state[4:8] == init                                   # compartment 1 skipped
        want = ref.read_words(TILE, Mem.STATE, np.arange(len(state))).tolist()
        assert state[8:] == want[8:] and state[:4] == want[:4]      # the others ran


def test_acc_group_is_taken_modulo_one_group():
    """G = 1: `acc rd, 1` reads group 0 (1 mod 1), no BAD_ACC_REQ."""
    assert ONE.n_acc_groups == 1
    images = build_images(ONE, 2)
    u = images[TILE][Mem.UCODE].copy()
    n_acc = 0
    for i, w in enumerate(u):
        d = isa.decode(int(w))
        if not isinstance(d, int) and d.op == isa.Opcode.ACC:
            u[i] = isa.encode(isa.Instr(isa.Opcode.ACC, rd=d.rd, imm=1))
            n_acc += 1
    assert n_acc
    images[TILE][Mem.UCODE] = u
    rtl, gold = _run_both(ONE, images, lambda e: None, inputs=True)
    assert rtl == gold
    assert rtl[1] == [0, 0]
