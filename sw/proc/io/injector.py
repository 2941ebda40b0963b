"""io.injector.Injector: pushes data from the user's code into a running
network (lava-nc 0.10 ``lava.proc.io.injector``).

``Injector(shape, buffer_size=50, channel_config=None)``; the user calls
``injector.send(data)`` (an array of ``shape``) from any thread, before or
during a run; each step the model takes what the channel's policy gives
(``ReceiveEmpty``: block for an item, or zeros; ``ReceiveNotEmpty``: the
oldest item, or the sum of all items) and sends it on ``out_port``.

With the default policy (blocking when empty) a blocking ``run`` in the
user's thread waits for items sent beforehand; data produced while the
network runs goes with ``RunSteps(..., blocking=False)`` or
``RunContinuous`` (the run is then in a background thread).
"""
from __future__ import annotations

import numpy as np

from .._api import (OutPort, PyLoihiProcessModel, LavaPyType, PyOutPort,
                    implements, requires, tag, CPU, LoihiProtocol)
from . import utils

__all__ = ["Injector", "PyLoihiInjectorModel", "PyLoihiInjectorModelFloat",
           "PyLoihiInjectorModelFixed"]


class Injector(utils.HostChannelProcess):
    """Lets non-Lava code inject data into the network while it runs.

    Parameters
    ----------
    shape : tuple(int)
        Shape of ``out_port`` and of every array sent.
    buffer_size : int, optional
        Items the channel holds (default 50).
    channel_config : utils.ChannelConfig, optional
        Policies when the buffer is full / empty / not empty (default:
        blocking send, blocking receive, FIFO).

    Ports: ``out_port``. Method: ``send(data)``.
    """

    _channel_owner = "Injector"

    def _add_port(self, shape: tuple) -> None:
        self.out_port = OutPort(shape=shape)

    def send(self, data: np.ndarray) -> None:
        """Queue ``data`` (shape ``shape``) for the network, with the
        channel's ``send_full`` policy when the buffer is full."""
        self._channel.send(data)


class _PyInjectorModel(PyLoihiProcessModel):
    out_port = None
    _dtype = float

    def run_spk(self) -> None:
        ch = self._process._channel
        self.out_port.send(ch.receive(self._dtype, utils.runtime_stopping(self._process)))


@implements(proc=Injector, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLoihiInjectorModelFloat(_PyInjectorModel):
    """Injector, float payloads."""

    out_port: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)


@implements(proc=Injector, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLoihiInjectorModelFixed(_PyInjectorModel):
    """Injector, integer payloads (the data is cast to int32, as a fixed-point
    network's host input)."""

    out_port: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    _dtype = np.int64


#: Lava's name of the (float) Injector model.
PyLoihiInjectorModel = PyLoihiInjectorModelFloat
