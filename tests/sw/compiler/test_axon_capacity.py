"""The AXON entry's synapse-count capacity (issue 13, item 1): more synapse
words on one axon than the entry's 15-bit `count` field holds is a
`CompileError` naming the core, the axon's source, the connection processes
feeding it, the count and the limit (it was a raw ValueError from packing)."""
import re

import numpy as np
import pytest

import compiler_testkit as tk
from kilauea import LIF, Dense
from kilauea.compiler import CompileError
from kilauea.compiler.allocate import AXON_MAX_SYNAPSES
from kilauea.hw.memory_map import Mem
from kilauea.hw.neurocore import core_memory as cm
from kilauea.hw.params import ChipParams


def _fan(n_dense: int, n_targets: int, zeros: int = 0):
    """One source neuron feeding `n_targets` LIF neurons through `n_dense`
    Dense processes: n_dense * n_targets synapses on the source's one axon,
    less `zeros` (the first Dense's first weights are 0: no synapse word)."""
    src = LIF(shape=(1,), name="S")
    tgt = LIF(shape=(n_targets,), name="T")
    for i in range(n_dense):
        w = np.ones((n_targets, 1), dtype=int)
        w[:zeros if i == 0 else 0] = 0
        d = Dense(weights=w, name=f"D{i}")
        src.s_out.connect(d.s_in)
        d.a_out.connect(tgt.a_in)
    return src


def test_limit_is_the_count_field():
    assert AXON_MAX_SYNAPSES == (1 << cm.AXON_LAYOUT["count"].shape.width) - 1 == 32767


def test_axon_with_too_many_synapses_names_core_source_connections_and_limit():
    src = _fan(33, 1000)                   # 33,000 synapses on one axon, within n_synapses
    with pytest.raises(CompileError, match=r"core at tile \(0, 0\): axon 0 \(source 'S' element 0\) "
                                           r"needs 33000 synapse words but an axon entry holds at "
                                           r"most 32767 .*short by 233\); fed by 33 connection "
                                           r"process\(es\): ('D\d+', ){7}'D\d+' and 25 more") as e:
        tk.compile_procs(src, ChipParams(mesh_w=1, mesh_h=1))
    named = re.findall(r"'(D\d+)'", str(e.value))
    assert len(set(named)) == 8 and set(named) <= {f"D{i}" for i in range(33)}


def test_axon_at_the_limit_compiles():
    src = _fan(33, 1023, zeros=992)        # 33 * 1023 - 992 = 32,767 synapses on one axon
    _, cn = tk.compile_procs(src, ChipParams(mesh_w=1, mesh_h=1))
    assert cn.report.total_synapses == AXON_MAX_SYNAPSES
    axon = cm.unpack_axon(cn.images[(0, 0)][Mem.AXON])
    assert axon["count"].tolist() == [AXON_MAX_SYNAPSES]
