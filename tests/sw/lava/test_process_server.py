"""Lava's ``ProcessServer``: ids of processes from 0, the processes
created since the last reset, held weakly."""
import gc

from kilauea.lava.magma.core.process.process import (AbstractProcess,
                                                     ProcessServer)


class _Proc(AbstractProcess):
    pass


def test_process_server_numbers_and_lists_new_processes() -> None:
    server = ProcessServer()
    assert ProcessServer() is server
    server.reset_server()
    first, second = _Proc(), _Proc(name="second")
    assert (first.id, second.id) == (0, 1)
    assert first.name == "_Proc_0" and second.name == "second"
    assert server.processes == [first, second]
    assert server._next_id == 2
    del first
    gc.collect()
    assert server.processes == [second]          # held weakly
    server.reset_server()
    assert server._next_id == 0 and server.processes == []
    assert _Proc().id == 0
