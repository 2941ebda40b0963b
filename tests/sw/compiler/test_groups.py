"""Pass 3, accumulator groups: per-projection flooring for weight_exp < 0
(one group per distinct delay for DelayDense), shared groups for equal
weight_exp >= 0, the direct host input on an exponent-0 group, and the
error when a target needs more groups than a compartment has."""
import numpy as np
import pytest

import compiler_testkit as tk
from kilauea import LIF, Dense, DelayDense
from kilauea.compiler import CompileError
from kilauea.compiler.groups import assign_groups
from kilauea.compiler.ncmodel import VarValues
from kilauea.compiler.partition import partition
from kilauea.hw.params import ChipParams
from kilauea.proc.io import source
from kilauea.runtime.builder import build_network

P = ChipParams(mesh_w=1, mesh_h=1, n_compartments=16, n_synapses=512, n_axons=64, n_fanout=128)


def _target_with(conns, direct=False, params=P):
    src = LIF(shape=(2,), name="src")
    tgt = LIF(shape=(2,), name="tgt")
    for c in conns:
        src.s_out.connect(c.s_in)
        c.a_out.connect(tgt.a_in)
    if direct:
        source.RingBuffer(data=np.ones((2, 3), dtype=int), name="host").s_out.connect(tgt.a_in)
    g = partition(build_network(src, tk.ChipTestCfg()), VarValues())
    assign_groups(g, params, VarValues())
    return [p for p in g.populations if p.name == "tgt"][0]


def _w():
    return np.ones((2, 2), dtype=int)


def test_equal_nonnegative_exponents_share_a_group():
    pop = _target_with([Dense(weights=_w(), weight_exp=1), Dense(weights=_w(), weight_exp=1),
                        Dense(weights=_w(), weight_exp=0)], direct=True)
    assert sorted(pop.group_exps) == [0, 1]
    assert pop.program.n_groups == 2
    by = {pr.name.split(" -> ")[1]: set(pr.group.tolist()) for pr in pop.projections}
    assert len(by) == 4


def test_negative_exponents_get_a_group_each():
    pop = _target_with([Dense(weights=_w(), weight_exp=-1), Dense(weights=_w(), weight_exp=-1)])
    assert pop.group_exps == [-1, -1]
    assert [set(pr.group.tolist()) for pr in pop.projections] == [{0}, {1}]


def test_delay_dense_negative_exponent_one_group_per_delay():
    d = DelayDense(weights=np.ones((2, 2), dtype=int), delays=np.array([[0, 3], [5, 3]]),
                   weight_exp=-2)
    pop = _target_with([d])
    pr = pop.projections[0]
    assert pop.group_exps == [-2, -2, -2]
    delay_of_group = {int(g): int(dl) for g, dl in zip(pr.group, pr.delay)}
    assert sorted(delay_of_group.values()) == [0, 3, 5]


def test_too_many_groups_names_the_projection():
    conns = [Dense(weights=_w(), weight_exp=-1, name=f"proj{i}") for i in range(5)]
    with pytest.raises(CompileError, match=r"process 'tgt' needs 5 accumulator groups but a "
                                           r"compartment has 4 \(short by 1\); projection "
                                           r"src -> proj\d -> tgt is the first that does not fit"):
        _target_with(conns)


def _two_port_network(n: int):
    """A source LIF feeding `n` target LIFs through two projections of
    different negative exponents: two accumulator groups per target."""
    src = LIF(shape=(n,), name="src")
    tgt = LIF(shape=(n,), name="tgt")
    for e in (-1, -2):
        d = Dense(weights=np.eye(n, dtype=int) * 3, weight_exp=e)
        src.s_out.connect(d.s_in)
        d.a_out.connect(tgt.a_in)
    return src, tgt


def test_rows_are_dense_and_synapses_name_base_plus_group():
    """src (1 group each) takes rows 0..3, tgt (2 groups) rows 4, 6, 8, 10 as
    bases; every synapse word names its target's base + its group."""
    from kilauea.hw.memory_map import Mem
    from kilauea.hw.neurocore import compartment_memory as ncm
    from kilauea.hw.neurocore import core_memory as cm
    src, _ = _two_port_network(4)
    _, cn = tk.compile_procs(src, P)
    img = cn.images[(0, 0)]
    bases = ncm.unpack_param_acc_row(img[Mem.PARAM][::ncm.PARAM_WORDS]).tolist()
    assert bases == [0, 1, 2, 3, 4, 6, 8, 10]
    rows = sorted(cm.unpack_synapse(P, img[Mem.SYNAPSE])["row"].tolist())
    assert rows == [4, 5, 6, 7, 8, 9, 10, 11]


def test_two_port_compartments_fill_the_rows_first():
    """8 + 8 compartments fit 16 compartments but need 8 + 16 rows: with
    n_acc_rows = 16 the targets spill onto a second core (closed by rows),
    and a one-core mesh is rejected naming the resource."""
    p2 = P.with_(mesh_w=2, n_acc_rows=16)
    src, _ = _two_port_network(8)
    _, cn = tk.compile_procs(src, p2)
    cores = cn.report.cores
    assert len(cores) == 2 and cores[0].compartments == 12
    src, _ = _two_port_network(8)
    with pytest.raises(CompileError, match="accumulator rows"):
        tk.compile_procs(src, P.with_(n_acc_rows=16))
