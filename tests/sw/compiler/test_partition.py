"""Pass 1, partition: chip vs host, host inputs and outputs, element maps,
and the graphs it rejects (with errors naming the processes)."""
import numpy as np
import pytest

import compiler_testkit as tk
from kilauea import LIF, Dense
from kilauea.compiler import CompileError
from kilauea.compiler.ncmodel import VarValues
from kilauea.compiler.partition import partition
from kilauea.hw.params import ChipParams
from kilauea.proc.io import sink, source
from kilauea.runtime.builder import build_network

P = ChipParams(mesh_w=1, mesh_h=1, n_compartments=16, n_synapses=512, n_axons=64, n_fanout=128)


def _graph(root):
    return partition(build_network(root, tk.ChipTestCfg()), VarValues())


def test_chip_and_host_parts():
    src = source.RingBuffer(data=np.ones((3, 4), dtype=int), name="src")
    d = Dense(weights=np.eye(3, dtype=int) * 5, name="d")
    lif = LIF(shape=(3,), vth=1, name="lif")
    snk = sink.RingBuffer(shape=(3,), buffer=4, name="snk")
    src.s_out.connect(d.s_in)
    src.s_out.connect(lif.a_in)            # the same port also straight into a_in
    d.a_out.connect(lif.a_in)
    lif.s_out.connect(snk.a_in)
    g = _graph(lif)
    assert [p.name for p in g.populations] == ["lif"]
    assert [c.name for c in g.connections] == ["d"]
    assert {id(p) for p in g.chip_processes} == {id(d), id(lif)}
    offs = sorted((hs.step_offset, hs.graded) for hs in g.host_sources)
    assert offs == [(-1, True), (0, False)]
    pop = g.populations[0]
    assert pop.host_out is lif.s_out
    names = sorted(pr.name for pr in pop.projections)
    assert names == ["src.s_out -> d -> lif", "src.s_out -> lif.a_in"]
    direct = [pr for pr in pop.projections if pr.conn is None][0]
    assert direct.weight.tolist() == [1, 1, 1] and direct.weight_exp == 0


def test_reshaped_port_element_map():
    lif1 = LIF(shape=(2, 3), vth=1, name="lif1")
    d = Dense(weights=np.arange(1, 25).reshape(4, 6), name="d")
    lif2 = LIF(shape=(4,), name="lif2")
    lif1.s_out.reshape((6,)).connect(d.s_in)
    d.a_out.connect(lif2.a_in)
    g = _graph(lif1)
    pr = g.populations[1].projections[0]
    assert sorted(zip(pr.post.tolist(), pr.pre.tolist(), pr.weight.tolist())) == \
        sorted((i, j, (6 * i + j + 1)) for i in range(4) for j in range(6))


def test_connection_output_to_host_is_rejected():
    lif = LIF(shape=(2,), name="lifA")
    d = Dense(weights=np.ones((2, 2), dtype=int), name="denseA")
    snk = sink.RingBuffer(shape=(2,), buffer=2, name="sinkA")
    lif.s_out.connect(d.s_in)
    d.a_out.connect(snk.a_in)
    with pytest.raises(CompileError, match=r"denseA.a_out -> sinkA.a_in.*only neuron OutPorts"):
        _graph(lif)


def test_neuron_to_neuron_needs_a_connection():
    a, b = LIF(shape=(2,), name="na"), LIF(shape=(2,), name="nb")
    a.s_out.connect(b.a_in)
    with pytest.raises(CompileError, match=r"na.s_out -> nb.a_in.*through a connection"):
        _graph(a)


def test_zero_delay_chip_host_chip_loop_is_rejected():
    lif = LIF(shape=(2,), name="loopLif")
    relay = tk.Relay(shape=(2,), name="hostRelay")
    lif.s_out.connect(relay.a_in)
    relay.s_out.connect(lif.a_in)
    with pytest.raises(CompileError, match=r"zero-delay.*'loopLif'.*'hostRelay'.*Dense"):
        _graph(lif)


def test_chip_host_chip_through_a_dense_is_accepted():
    lif = LIF(shape=(2,), name="l")
    relay = tk.Relay(shape=(2,), name="r")
    d = Dense(weights=np.eye(2, dtype=int), name="d")
    lif.s_out.connect(relay.a_in)
    relay.s_out.connect(d.s_in)
    d.a_out.connect(lif.a_in)
    g = _graph(lif)
    assert [hs.step_offset for hs in g.host_sources] == [0]


def test_two_binary_sources_on_one_input_element_are_rejected():
    a, b = LIF(shape=(2,), name="a"), LIF(shape=(2,), name="b")
    d = Dense(weights=np.ones((2, 2), dtype=int), name="dd")
    c = LIF(shape=(2,), name="c")
    a.s_out.connect(d.s_in)
    b.s_out.connect(d.s_in)
    d.a_out.connect(c.a_in)
    with pytest.raises(CompileError, match="connection 'dd'.*num_message_bits"):
        _graph(a)
