"""Lava's sync domains, port exceptions and connection configs under
kilauea.lava: importable, accepted by kilauea, and without effect on a run;
and the conformance script's rewrite of ``lava.`` references."""
import importlib.util
import pathlib

import numpy as np
import pytest

from kilauea.lava.magma.core.process.ports.connection_config import (
    ConnectionConfig, SpikeIOInterface)
from kilauea.lava.magma.core.process.ports.exceptions import (
    ConcatShapeError, DuplicateConnectionError, ReshapeError,
    TransposeIndexError, VarNotSharableError)
from kilauea.lava.magma.core.process.ports.ports import InPort, OutPort
from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.magma.core.run_configs import Loihi1SimCfg
from kilauea.lava.magma.core.sync.domain import SyncDomain
from kilauea.lava.magma.core.sync.protocol import AbstractSyncProtocol
from kilauea.lava.magma.core.sync.protocols.async_protocol import AsyncProtocol
from kilauea.lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol
from kilauea.lava.proc.io.sink import RingBuffer as Sink
from kilauea.lava.proc.io.source import RingBuffer as Source

REPO = pathlib.Path(__file__).resolve().parents[3]


def test_sync_domain_records_its_protocol_and_processes():
    a, b = Sink(shape=(2,), buffer=3), Sink(shape=(2,), buffer=3)
    domain = SyncDomain("simple", LoihiProtocol(), [a])
    domain.add_process(b)
    assert domain.name == "simple"
    assert isinstance(domain.protocol, LoihiProtocol)
    assert isinstance(domain.protocol, AbstractSyncProtocol)
    assert domain.processes == [a, b]
    domain.set_protocol(AsyncProtocol())
    assert isinstance(domain.protocol, AsyncProtocol)


def test_sync_domain_refuses_a_protocol_class():
    with pytest.raises(TypeError, match="'simple'.*AbstractSyncProtocol"):
        SyncDomain("simple", LoihiProtocol)


def test_custom_sync_domains_leave_a_run_unchanged():
    def run(with_domain: bool) -> np.ndarray:
        src = Source(data=np.arange(8).reshape(2, 4))
        sink = Sink(shape=(2,), buffer=4)
        src.s_out.connect(sink.a_in)
        domains = [SyncDomain("d", LoihiProtocol(), [src, sink])] \
            if with_domain else None
        sink.run(condition=RunSteps(num_steps=4),
                 run_cfg=Loihi1SimCfg(custom_sync_domains=domains))
        data = sink.data.get()
        sink.stop()
        return data

    assert np.array_equal(run(True), run(False))


def test_port_exceptions_catch_kilaueas_port_errors():
    for error in (ReshapeError, ConcatShapeError, TransposeIndexError,
                  DuplicateConnectionError, VarNotSharableError):
        with pytest.raises(error):
            OutPort((2, 3)).reshape((5,))


def test_connection_config_is_accepted_by_connect():
    config = ConnectionConfig(num_probes=8, ethernet_packet_len=128)
    assert config.interface is SpikeIOInterface.ETHERNET
    src, dst = OutPort((2,)), InPort((2,))
    src.connect(dst, config)
    dst2 = InPort((2,))
    dst2.connect_from(OutPort((2,)), config)


def _conformance_module():
    spec = importlib.util.spec_from_file_location(
        "lava_conformance_under_test", REPO / "scripts" / "lava_conformance.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_conformance_rewrite_of_lava_references():
    rewrite = _conformance_module().rewrite
    source = (
        "import lava\n"
        "import lava as L\n"
        "from lava import LIF\n"
        "from lava.proc.lif.process import LIF\n"
        "import lava.proc.io as io\n"
        "x = lava.proc.io.sink.RingBuffer\n"
        "patch('lava.magma.core.process.process.AbstractProcess')\n"
        "from tests.lava.test_utils.utils import Utils\n"
        "my_lava.x = 1\n")
    assert rewrite(source) == (
        "from kilauea import lava\n"
        "import kilauea.lava as L\n"
        "from kilauea.lava import LIF\n"
        "from kilauea.lava.proc.lif.process import LIF\n"
        "import kilauea.lava.proc.io as io\n"
        "x = kilauea.lava.proc.io.sink.RingBuffer\n"
        "patch('kilauea.lava.magma.core.process.process.AbstractProcess')\n"
        "from tests.lava.test_utils.utils import Utils\n"
        "my_lava.x = 1\n")


def test_conformance_scope():
    module = _conformance_module()
    assert module.in_scope("proc/lif/test_models.py")
    assert module.in_scope("magma/core/process/ports/test_ports.py")
    assert module.in_scope("utils/test_plots.py")
    assert not module.in_scope("utils/test_loihi.py")
    assert not module.in_scope("magma/core/model/test_py_model.py")


def test_find_processes_follows_connections_both_ways():
    from kilauea.lava import LIF, Dense, Monitor
    from kilauea.lava.magma.compiler.compiler_graphs import find_processes
    a, b = LIF(shape=(2,)), LIF(shape=(2,))
    dense = Dense(weights=np.eye(2))
    a.s_out.reshape((1, 2)).flatten().connect(dense.s_in)
    dense.a_out.connect(b.a_in)
    monitor = Monitor()
    monitor.probe(b.v, 3)
    lone = LIF(shape=(1,))
    everyone = {a, b, dense, monitor}
    for start in everyone:
        found = find_processes(start)
        assert found[0] is start and len(found) == 4
        assert set(found) == everyone
    assert find_processes(lone) == [lone]
