"""Porting Lava's in-depth tutorial 05 (Connect processes) to kilauea.

Patterns: minimal sender/receiver Processes with integer VEC_DENSE ports,
``connect``/``connect_from`` (one port or a list), fan-out, fan-in summed,
the connection rules, and Lava's virtual ports (reshape, flatten,
transpose, concat_with) as its port tests use them.
"""
import numpy as np
import pytest

from kilauea.lava.magma.core.process.process import AbstractProcess
from kilauea.lava.magma.core.process.variable import Var
from kilauea.lava.magma.core.process.ports.ports import InPort, OutPort
from kilauea.lava.magma.core.model.py.model import PyLoihiProcessModel
from kilauea.lava.magma.core.decorator import implements, requires, tag
from kilauea.lava.magma.core.resources import CPU
from kilauea.lava.magma.core.model.py.type import LavaPyType
from kilauea.lava.magma.core.model.py.ports import PyInPort, PyOutPort
from kilauea.lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from kilauea.lava.magma.core.run_configs import Loihi1SimCfg
from kilauea.lava.magma.core.run_conditions import RunSteps


class Sender(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        shape = kwargs.get("shape", (2,))
        self.out = OutPort(shape=shape)
        self.payload = Var(shape=shape, init=kwargs.get("payload", 0))


class Receiver(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        shape = kwargs.get("shape", (2,))
        self.inp = InPort(shape=shape)
        self.last = Var(shape=shape, init=0)


@implements(proc=Sender, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySenderModel(PyLoihiProcessModel):
    out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, int)
    payload: np.ndarray = LavaPyType(np.ndarray, int)

    def run_spk(self):
        data = self.payload * self.time_step
        print("Sent output data: {}".format(data))
        self.out.send(data)


@implements(proc=Receiver, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyReceiverModel(PyLoihiProcessModel):
    inp: PyInPort = LavaPyType(PyInPort.VEC_DENSE, int)
    last: np.ndarray = LavaPyType(np.ndarray, int)

    def run_spk(self):
        in_data = self.inp.recv()
        print("Received input data: {}".format(in_data))
        self.last = in_data.copy()


def _run(proc, steps=1):
    proc.run(RunSteps(num_steps=steps), Loihi1SimCfg())


def test_out_to_in_same_step(capsys):
    sender = Sender(payload=[3, 4])
    recv = Receiver()
    sender.out.connect(recv.inp)
    _run(sender)
    np.testing.assert_array_equal(recv.last.get(), [3, 4])
    sender.stop()
    text = capsys.readouterr().out
    assert "Sent output data: [3 4]" in text
    assert "Received input data: [3 4]" in text


def test_connect_from():
    sender = Sender(payload=[5, 7])
    recv = Receiver()
    recv.inp.connect_from(sender.out)
    _run(sender, 2)   # the payload is multiplied by the time step
    np.testing.assert_array_equal(recv.last.get(), [10, 14])
    sender.stop()


def test_fan_out_list_and_consecutive():
    sender = Sender(payload=[1, 2])
    receivers = [Receiver() for _ in range(3)]
    sender.out.connect([r.inp for r in receivers[:2]])
    sender.out.connect(receivers[2].inp)
    _run(sender)
    for r in receivers:
        np.testing.assert_array_equal(r.last.get(), [1, 2])
    sender.stop()


def test_fan_in_is_summed():
    senders = [Sender(payload=[1, 2]) for _ in range(3)]
    recv = Receiver()
    recv.inp.connect_from([s.out for s in senders[:2]])
    senders[2].out.connect(recv.inp)
    _run(senders[0])
    np.testing.assert_array_equal(recv.last.get(), [3, 6])
    senders[0].stop()


def test_connection_rules():
    sender = Sender(shape=(2,))
    recv = Receiver(shape=(3,))
    with pytest.raises(Exception):
        sender.out.connect(recv.inp)         # shapes differ
    with pytest.raises(Exception):
        Receiver().inp.connect(Sender().out)  # InPort cannot drive OutPort


def test_reshape_and_flatten_ports():
    sender = Sender(shape=(2, 3), payload=np.arange(6).reshape(2, 3))
    recv = Receiver(shape=(3, 2))
    sender.out.reshape((3, 2)).connect(recv.inp)
    recv_flat = Receiver(shape=(6,))
    sender.out.flatten().connect(recv_flat.inp)
    _run(sender)
    np.testing.assert_array_equal(recv.last.get(),
                                  np.arange(6).reshape(3, 2))
    np.testing.assert_array_equal(recv_flat.last.get(), np.arange(6))
    sender.stop()


def test_transpose_port():
    sender = Sender(shape=(2, 3), payload=np.arange(6).reshape(2, 3))
    recv = Receiver(shape=(3, 2))
    sender.out.transpose(axes=(1, 0)).connect(recv.inp)
    _run(sender)
    np.testing.assert_array_equal(recv.last.get(),
                                  np.arange(6).reshape(2, 3).T)
    sender.stop()


def test_concat_ports():
    s1 = Sender(shape=(2,), payload=[1, 2])
    s2 = Sender(shape=(3,), payload=[7, 8, 9])
    recv = Receiver(shape=(5,))
    s1.out.concat_with(s2.out, axis=0).connect(recv.inp)
    _run(recv)
    np.testing.assert_array_equal(recv.last.get(), [1, 2, 7, 8, 9])
    recv.stop()
