"""Processes, Vars and ports before anything runs."""
import numpy as np
import pytest

from kilauea import (AbstractProcess, InPort, OutPort, PortConnectionError,
                     RefPort, RunSteps, Var, VarPort)
from kcore_testlib import Neuron, Sink, Source


def test_proc_params_name_and_collections():
    n = Neuron(shape=(3,), vth=7.0, name="n1")
    assert n.name == "n1"
    assert n.proc_params["vth"] == 7.0 and n.proc_params["shape"] == (3,)
    assert n.in_ports.member_names == ["a_in"]
    assert n.out_ports.member_names == ["s_out"]
    # Lava's order: alphabetical (its collections are filled in dir() order)
    assert n.vars.member_names == ["bias", "du", "dv", "u", "v", "vth"]
    assert n.vars.v is n.v and n.v.process is n and n.v.name == "v"
    assert n.a_in.full_name() == "n1.a_in"
    other = Neuron(shape=(3,))
    assert other.name != n.name and other.name.startswith("Neuron_")
    n.proc_params.overwrite("vth", 8.0)
    assert n.proc_params["vth"] == 8.0


def test_var_get_set_before_run():
    n = Neuron(shape=(4,), bias=np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(n.bias.get(), [1, 2, 3, 4])
    np.testing.assert_array_equal(n.v.get(), np.zeros(4))       # scalar init broadcast
    assert n.bias.get(idx=2) == 3.0
    np.testing.assert_array_equal(n.bias.get(idx=slice(1, 3)), [2, 3])
    n.bias.set(np.array([9.0, 8.0]), idx=slice(0, 2))
    np.testing.assert_array_equal(n.bias.get(), [9, 8, 3, 4])
    n.v.set(5.0)
    np.testing.assert_array_equal(n.v.get(), [5, 5, 5, 5])


def test_var_init_shape_error_names_var():
    class P(AbstractProcess):
        def __init__(self):
            super().__init__(name="p")
            self.x = Var(shape=(3,), init=np.zeros(4))
    with pytest.raises(ValueError, match=r"p\.x.*\(4,\).*\(3,\)"):
        P().x.get()


def test_var_set_before_run_checks_shape_like_a_live_set():
    """Before a run, ``set`` takes what a set on the built network takes (a
    value of the Var's size is reshaped) and a value that does not fit
    raises naming the Var and both shapes."""
    n = Neuron(shape=(3,), name="n")
    with pytest.raises(ValueError, match=r"n\.bias.*\(4,\).*\(3,\)"):
        n.bias.set(np.ones(4))
    n.bias.set(np.array([[1.0, 2.0, 3.0]]))
    np.testing.assert_array_equal(n.bias.get(), [1, 2, 3])
    n.run(condition=RunSteps(num_steps=1))
    try:
        n.bias.set(np.array([[4.0, 5.0, 6.0]]))
        np.testing.assert_array_equal(n.bias.get(), [4, 5, 6])
    finally:
        n.stop()


def test_connect_shape_mismatch_names_both_ports_and_shapes():
    a = Neuron(shape=(3,), name="pre")
    b = Neuron(shape=(2,), name="post")
    with pytest.raises(PortConnectionError) as e:
        a.s_out.connect(b.a_in)
    msg = str(e.value)
    assert "pre.s_out" in msg and "post.a_in" in msg
    assert "(3,)" in msg and "(2,)" in msg


def test_connect_kind_errors():
    a = Neuron(shape=(3,), name="a")
    b = Neuron(shape=(3,), name="b")
    with pytest.raises(PortConnectionError, match="InPort cannot feed a OutPort"):
        b.a_in.connect(a.s_out)
    with pytest.raises(PortConnectionError, match="already connected"):
        a.s_out.connect(b.a_in)
        a.s_out.connect(b.a_in)


def test_connect_from_and_fan_links():
    a = Neuron(shape=(3,))
    b = Neuron(shape=(3,))
    c = Neuron(shape=(3,))
    c.a_in.connect_from([a.s_out, b.s_out])
    assert c.a_in.in_connections == [a.s_out, b.s_out]
    assert a.s_out.out_connections == [c.a_in]


def test_virtual_port_shape_checks():
    a = Neuron(shape=(2, 3))
    with pytest.raises(PortConnectionError, match="sizes differ"):
        a.s_out.reshape((5,))
    assert a.s_out.flatten().shape == (6,)
    assert a.s_out.transpose().shape == (3, 2)
    b = Neuron(shape=(2, 4))
    assert a.s_out.concat_with(b.s_out, axis=1).shape == (2, 7)
    with pytest.raises(PortConnectionError, match="concatenate"):
        a.s_out.concat_with(b.s_out, axis=0)


def test_ref_port_connect_var_creates_implicit_var_port():
    n = Neuron(shape=(3,), name="n")

    class Reader(AbstractProcess):
        def __init__(self):
            super().__init__()
            self.ref = RefPort(shape=(3,))
    r = Reader()
    r.ref.connect_var(n.v)
    assert n.var_ports.member_names == ["_v_implicit_port"]
    vp = n.var_ports.members[0]
    assert vp.var is n.v and r.ref.out_connections == [vp]
    r2 = Reader()
    with pytest.raises(PortConnectionError, match=r"n\.vth.*\(1,\)"):
        r2.ref.connect_var(n.vth)
    unshared = Var(shape=(3,), shareable=False)
    n.secret = unshared
    with pytest.raises(PortConnectionError, match="not shareable"):
        r2.ref.connect_var(unshared)
    with pytest.raises(PortConnectionError):
        VarPort(unshared)


def test_members_added_after_construction_register():
    s = Sink(shape=(2,), buffer=3)
    s.extra_in = InPort(shape=(2,))
    s.extra_var = Var(shape=(5,), init=1)
    assert "extra_in" in s.in_ports.member_names
    assert s.vars.extra_var.get() == 1     # before a run: init as given (Lava)
    np.testing.assert_array_equal(s.vars.extra_var.get(idx=slice(None)), np.ones(5))


def test_members_cannot_be_added_after_compile():
    src = Source(data=np.ones((2, 3)))
    src.run(condition=RunSteps(num_steps=1))
    with pytest.raises(RuntimeError, match="after the network was compiled"):
        src.late = OutPort(shape=(2,))
    src.stop()


def test_context_manager_stops():
    src = Source(data=np.ones((2, 3)))
    with src:
        src.run(condition=RunSteps(num_steps=2))
        assert src.runtime.time_step == 2
    assert src.runtime.state == "stopped"


def test_port_belongs_to_one_process():
    a = Neuron(shape=(3,))

    class P(AbstractProcess):
        pass
    p = P()
    with pytest.raises(ValueError, match="already belongs"):
        p.stolen = a.a_in


def test_connecting_to_a_compiled_process_is_an_error():
    src = Source(data=np.ones((2, 3)), name="ran")
    src.run(condition=RunSteps(num_steps=1))
    late = Sink(shape=(2,), buffer=1)
    with pytest.raises(PortConnectionError, match="'ran' was already compiled"):
        src.s_out.connect(late.a_in)
    src.stop()
