"""io.extractor.Extractor: pulls data out of a running network into the
user's code (lava-nc 0.10 ``lava.proc.io.extractor``).

``Extractor(shape, buffer_size=50, channel_config=None)``; each step the
model puts what arrives on ``in_port`` into the channel (``SendFull``:
block while the buffer is full, or drop with a warning); the user calls
``extractor.receive()`` from any thread (``ReceiveEmpty``: block for an
item, or zeros; ``ReceiveNotEmpty``: the oldest item, or the sum of all).

With the default policy (blocking send) a blocking ``run`` of more steps
than ``buffer_size`` in the user's thread waits for a ``receive`` that
cannot come: receive during a non-blocking run, or use ``NON_BLOCKING_DROP``.
"""
from __future__ import annotations

import numpy as np

from .._api import (InPort, PyLoihiProcessModel, LavaPyType, PyInPort,
                    implements, requires, tag, CPU, LoihiProtocol)
from . import utils

__all__ = ["Extractor", "PyLoihiExtractorModelFloat", "PyLoihiExtractorModelFixed"]


class Extractor(utils.HostChannelProcess):
    """Lets non-Lava code extract data from the network while it runs.

    Parameters
    ----------
    shape : tuple(int)
        Shape of ``in_port`` and of every array received.
    buffer_size : int, optional
        Items the channel holds (default 50).
    channel_config : utils.ChannelConfig, optional
        Policies when the buffer is full / empty / not empty.

    Ports: ``in_port``. Method: ``receive()``.
    """

    _channel_owner = "Extractor"

    def _add_port(self, shape: tuple) -> None:
        self.in_port = InPort(shape=shape)

    def receive(self) -> np.ndarray:
        """The next item (float array of ``shape``), by the channel's
        receive policies."""
        return self._channel.receive(float)


class _PyExtractorModel(PyLoihiProcessModel):
    in_port = None

    def run_spk(self) -> None:
        ch = self._process._channel
        ch.send(self.in_port.recv(), utils.runtime_stopping(self._process))


@implements(proc=Extractor, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLoihiExtractorModelFloat(_PyExtractorModel):
    """Extractor, float input."""

    in_port: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)


@implements(proc=Extractor, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLoihiExtractorModelFixed(_PyExtractorModel):
    """Extractor, integer input."""

    in_port: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
