"""``io.extractor.VarWire`` and Lava's in-process channel
(``magma.compiler.channels.pypychannel``) under Lava's paths."""
import threading

import numpy as np
import pytest

from kilauea.lava.magma.compiler.channels.pypychannel import PyPyChannel
from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.magma.core.run_configs import Loihi2SimCfg
from kilauea.lava.magma.runtime.message_infrastructure.multiprocessing import \
    MultiProcessing
from kilauea.lava.proc.io.extractor import VarWire
from kilauea.lava.proc.lif.process import LIF


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_var_wire_hands_over_the_var_after_every_step(tag: str) -> None:
    lif = LIF(shape=(2,), bias_mant=np.array([1, 3]), vth=1000, du=0, dv=0)
    wire = VarWire(buffer_size=8)
    wire.connect_var(lif.v)
    assert wire.wire_tap.shape == (2,)
    try:
        lif.run(condition=RunSteps(5), run_cfg=Loihi2SimCfg(select_tag=tag))
        got = [wire.receive().tolist() for _ in range(5)]
    finally:
        lif.stop()
    assert got == [[t, 3 * t] for t in range(1, 6)]


def test_var_wire_needs_connect_var_before_receive() -> None:
    with pytest.raises(RuntimeError, match="connect_var"):
        VarWire().receive()


def test_pypychannel_passes_arrays_between_threads_in_order() -> None:
    infra = MultiProcessing()
    infra.start()
    channel = PyPyChannel(message_infrastructure=infra, src_name="src",
                          dst_name="dst", shape=(2,), dtype=float, size=1)
    assert not channel.dst_port.probe()

    def produce() -> None:
        for i in range(3):               # blocks while the channel is full
            channel.src_port.send(np.array([i, -i]))

    producer = threading.Thread(target=produce, daemon=True)
    producer.start()
    got = [channel.dst_port.recv().tolist() for _ in range(3)]
    producer.join(timeout=5)
    assert got == [[0, 0], [1, -1], [2, -2]]
    infra.stop()
    with pytest.raises(RuntimeError, match="closed"):
        channel.dst_port.recv()          # nothing left, channel closed
