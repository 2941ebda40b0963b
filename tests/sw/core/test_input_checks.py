"""Bad input to the host API gets a clear error, early, naming the thing at
fault; nothing is silently accepted or half done."""
import numpy as np
import pytest

from kilauea import (CPU, AbstractProcess, CpuSimCfg, InPort, LavaPyType, LoihiProtocol,
                     OutPort, PyLoihiProcessModel, PyOutPort, RunSteps, Var, implements,
                     requires)
from kilauea.core.exceptions import PortConnectionError


# ------------------------------------------------------ connect: all or nothing
class _Two(AbstractProcess):
    def __init__(self, n=2, **kw):
        super().__init__(n=n, **kw)
        self.inp = InPort(shape=(n,))
        self.out = OutPort(shape=(n,))


def test_connect_to_a_list_with_one_bad_target_links_nothing():
    a, ok, wrong = _Two(name="a"), _Two(name="ok"), _Two(n=3, name="wrong")
    with pytest.raises(PortConnectionError, match=r"wrong\.inp.*\(2,\).*\(3,\)"):
        a.out.connect([ok.inp, wrong.inp])
    assert a.out.out_connections == [] and ok.inp.in_connections == []
    a.out.connect(ok.inp)                  # still possible: nothing was left behind
    assert a.out.out_connections == [ok.inp]


def test_connect_from_a_list_with_one_bad_source_links_nothing():
    dst, ok, wrong = _Two(name="dst"), _Two(name="ok"), _Two(n=3, name="wrong")
    with pytest.raises(PortConnectionError, match=r"wrong\.out"):
        dst.inp.connect_from([ok.out, wrong.out])
    assert dst.inp.in_connections == [] and ok.out.out_connections == []


def test_connect_to_a_list_naming_a_port_twice_links_nothing():
    a, b = _Two(name="a"), _Two(name="b")
    with pytest.raises(PortConnectionError, match="twice"):
        a.out.connect([b.inp, b.inp])
    assert a.out.out_connections == []


def test_connect_list_with_a_virtual_port_and_a_bad_target_binds_nothing():
    a, b, wrong = _Two(name="a"), _Two(n=2, name="b"), _Two(n=3, name="wrong")
    view = b.inp.reshape((2, 1))
    a2 = _Two(name="a2")
    src = a2.out.reshape((2, 1))
    with pytest.raises(PortConnectionError):
        src.connect([view, wrong.inp])
    assert a2.out.out_connections == [] and b.inp.in_connections == []
    src.connect(view)                      # the views are still unbound and usable
    assert b.inp.in_connections != []


# ------------------------------------------------------ shapes
@pytest.mark.parametrize("shape", [(-1,), (0,), (2, 0), (2.5,), ("3",), -1, 0])
@pytest.mark.parametrize("make", [lambda s: Var(shape=s, name="myvar"),
                                  lambda s: InPort(shape=s), lambda s: OutPort(shape=s)],
                         ids=["Var", "InPort", "OutPort"])
def test_bad_shapes_are_rejected_naming_the_var_or_port(make, shape):
    with pytest.raises((ValueError, TypeError), match=r"(myvar|InPort|OutPort).*shape"):
        make(shape)


@pytest.mark.parametrize("shape, want", [((1,), (1,)), (3, (3,)), ((2, 3), (2, 3)),
                                         ((np.int64(4),), (4,)), (np.int32(5), (5,)),
                                         ((), ())])
def test_good_shapes_are_accepted(shape, want):
    assert Var(shape=shape).shape == want
    assert InPort(shape=shape).shape == want


def test_reshape_to_a_bad_shape_is_rejected():
    p = _Two(n=4, name="p")
    with pytest.raises(ValueError, match="shape"):
        p.out.reshape((-2, -2))


# ------------------------------------------------------ send on an unconnected port
class _Sender(AbstractProcess):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.out = OutPort(shape=(3,))


@implements(proc=_Sender, protocol=LoihiProtocol)
@requires(CPU)
class _PyWrongShapeSender(PyLoihiProcessModel):
    out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def run_spk(self):
        self.out.send(np.zeros(4))         # the port's shape is (3,)


def test_wrong_shape_send_on_an_unconnected_port_is_an_error():
    s = _Sender(name="lonely")
    with pytest.raises(Exception) as e:
        s.run(condition=RunSteps(num_steps=1), run_cfg=CpuSimCfg())
    s.stop()
    text = str(e.value) + str(e.value.__cause__)
    assert "lonely.out" in text and "(4,)" in text and "(3,)" in text
