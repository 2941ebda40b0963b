"""Lava's API surface around ports and the runtime (issue 10, item 2):
RefPorts left unconnected, RefPorts through virtual ports, port
introspection, the Var registry, runs paused or stopped from inside a model,
the runtime as a context manager, Var ids, async models waiting across steps
and the error classes Lava code catches."""
import numpy as np
import pytest

from kilauea import (CPU, AbstractProcess, InPort, LavaPyType, LoihiProtocol,
                     OutPort, PyInPort, PyLoihiProcessModel, PyOutPort, RefPort,
                     RunSteps, Var, implements, requires)
from kilauea.core.exceptions import PortConnectionError, PortKindError
from kilauea.core.model import PyAsyncProcessModel
from kilauea.core.ports import VarPort
from kilauea.core.protocols import AsyncProtocol
from kilauea.core.pytypes import PyRefPort
from kilauea.core.run_configs import CpuSimCfg
from kilauea.core.variable import VarServer


# ------------------------------------------------------------ test processes
class Writer(AbstractProcess):
    """Writes ``data`` through ``ref`` at step 1, reads it back into
    ``seen`` at every later step (post_mgmt)."""

    def __init__(self, *, shape, data, **kwargs):
        super().__init__(shape=shape, **kwargs)
        self.ref = RefPort(shape)
        self.data = Var(shape, init=data)
        self.seen = Var(shape, init=0)


@implements(proc=Writer, protocol=LoihiProtocol)
@requires(CPU)
class PyWriter(PyLoihiProcessModel):
    ref = LavaPyType(PyRefPort.VEC_DENSE, np.int64)
    data = LavaPyType(np.ndarray, np.int64)
    seen = LavaPyType(np.ndarray, np.int64)

    def post_guard(self):
        return True

    def run_post_mgmt(self):
        if self.time_step == 1:
            self.ref.write(self.data)
        else:
            self.seen = self.ref.read()


class Holder(AbstractProcess):
    def __init__(self, *, init, **kwargs):
        super().__init__(**kwargs)
        self.v = Var(np.shape(init), init=init)


@implements(proc=Holder, protocol=LoihiProtocol)
@requires(CPU)
class PyHolder(PyLoihiProcessModel):
    v = LavaPyType(np.ndarray, np.int64)


def _run(proc, steps):
    proc.run(RunSteps(steps), CpuSimCfg())


# ------------------------------------------------------------ RefPorts
def test_unconnected_refport_reads_zeros_and_writes_nothing():
    w = Writer(shape=(3,), data=np.array([1, 2, 3]))
    _run(w, 3)      # write (step 1) and read (steps 2, 3) on nothing: no error
    assert np.array_equal(w.seen.get(), [0, 0, 0])
    w.stop()


def _view(kind: str, port, rng):
    """(virtual view of ``port``, numpy function mapping data of ``port``'s
    shape to the view's shape)."""
    if kind == "reshape":
        shape = tuple(rng.permutation(port.shape))
        return port.reshape(shape), lambda x: x.reshape(shape)
    if kind == "flatten":
        return port.flatten(), lambda x: x.reshape(-1)
    axes = tuple(int(a) for a in rng.permutation(len(port.shape)))
    return port.transpose(axes), lambda x: x.transpose(axes)


@pytest.mark.parametrize("seed", range(12))
def test_refport_through_virtual_ports_reads_and_writes_like_numpy(seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(d) for d in rng.integers(1, 5, size=int(rng.integers(2, 4))))
    kind = ["reshape", "flatten", "transpose"][seed % 3]
    data = rng.integers(-1000, 1000, size=shape)
    w = Writer(shape=shape, data=data)
    view, fn = _view(kind, w.ref, rng)
    target = Holder(init=np.zeros(view.shape, np.int64))
    view.connect(target.v.process._implicit_var_port(target.v))
    _run(w, 1)
    expect = fn(data)
    assert np.array_equal(target.v.get(), expect), f"seed {seed}: write through {kind}"
    new = rng.integers(-1000, 1000, size=view.shape)
    target.v.set(new)
    _run(w, 1)
    back = w.seen.get()
    assert np.array_equal(fn(back), new), f"seed {seed}: read through {kind}"
    w.stop()


def test_concatenated_refports_write_their_own_parts_only():
    a = Writer(shape=(2,), data=np.array([1, 2]))
    b = Writer(shape=(3,), data=np.array([3, 4, 5]))
    target = Holder(init=np.full(5, 9))
    a.ref.concat_with(b.ref).connect(target.v.process._implicit_var_port(target.v))
    _run(a, 1)
    assert np.array_equal(target.v.get(), [1, 2, 3, 4, 5])
    target.v.set(np.array([10, 11, 12, 13, 14]))
    _run(a, 1)
    assert np.array_equal(a.seen.get(), [10, 11]) and np.array_equal(b.seen.get(), [12, 13, 14])
    a.stop()


# ------------------------------------------------------------ introspection
def test_port_introspection_follows_links_through_virtual_ports():
    src = OutPort((2, 3))
    dst1, dst2 = InPort((3, 2)), InPort((2, 3))
    src.reshape((3, 2)).connect(dst1)
    src.connect(dst2)
    assert src.get_dst_ports() == [dst1, dst2]
    assert dst1.get_src_ports() == [src] and dst2.get_src_ports() == [src]
    assert dst1.get_dst_ports() == [] and src.get_src_ports() == []
    v = Var((2, 3))
    ref = RefPort((2, 3))
    ref.connect_var(v)      # a Var without a process yet: Lava allows it
    (vp,) = ref.get_dst_ports()
    assert isinstance(vp, VarPort) and vp.var is v and ref.get_dst_vars() == [v]
    assert vp.name == "_Unnamed variable_implicit_port"


def test_implicit_varport_name_avoids_existing_attributes():
    class P(AbstractProcess):
        _x_implicit_port = None

        def __init__(self, **kw):
            super().__init__(**kw)
            self.x = Var((2,))
    p = P()
    ref = RefPort((2,))
    ref.connect_var(p.x)
    assert ref.get_dst_ports()[0].name == "_x_implicit_port_1"


def test_connection_errors_are_caught_as_lava_raises_them():
    with pytest.raises(AssertionError):
        OutPort((2,)).connect(InPort((3,)))
    with pytest.raises(ValueError):
        OutPort((2,)).connect(InPort((3,)))
    with pytest.raises(TypeError) as e:
        RefPort((2,)).connect(InPort((2,)))
    assert isinstance(e.value, PortKindError) and isinstance(e.value, PortConnectionError)


# ------------------------------------------------------------ Var registry
def test_var_server_issues_ids_from_zero_after_reset():
    VarServer().reset_server()
    a, b = Var((1,)), Var((2,))
    assert (a.id, b.id) == (0, 1)
    assert VarServer() is VarServer() and VarServer().num_vars == 2
    assert VarServer().vars == [a, b]


# ------------------------------------------------------------ runtime
class Stepper(AbstractProcess):
    def __init__(self, *, phase, kind, at, **kwargs):
        super().__init__(phase=phase, kind=kind, at=at, **kwargs)
        self.count = Var((1,), init=0)


@implements(proc=Stepper, protocol=LoihiProtocol)
@requires(CPU)
class PyStepper(PyLoihiProcessModel):
    count = LavaPyType(np.ndarray, np.int64)

    def _maybe(self, phase):
        p = self.proc_params
        if phase == p["phase"] and self.time_step == p["at"]:
            setattr(self, f"_req_{p['kind']}", True)

    def run_spk(self):
        self.count += 1
        self._maybe("spk")

    def post_guard(self):
        return True

    def run_post_mgmt(self):
        self._maybe("post_mgmt")


@pytest.mark.parametrize("phase", ["spk", "post_mgmt"])
def test_pause_requested_by_a_model_ends_the_run_after_that_step(phase):
    p = Stepper(phase=phase, kind="pause", at=3)
    _run(p, 100)
    rt = p.runtime
    assert rt.time_step == 3 and rt.state == "paused"
    assert not rt._is_running and rt._is_started
    assert p.count.get()[0] == 3
    _run(p, 2)          # resumes
    assert rt.time_step == 5 and p.count.get()[0] == 5
    p.stop()
    assert not rt._is_started


def test_stop_requested_by_a_model_stops_the_runtime():
    p = Stepper(phase="post_mgmt", kind="stop", at=2)
    _run(p, 50)
    assert p.runtime.state == "stopped" and p.runtime.time_step == 2
    assert not p.runtime._is_running


def test_pause_requested_in_a_background_run():
    p = Stepper(phase="spk", kind="pause", at=4)
    p.run(RunSteps(1000, blocking=False), CpuSimCfg())
    p.wait()
    assert p.runtime.time_step == 4 and p.runtime.state == "paused"
    p.stop()


def test_runtime_context_manager_and_var_ids():
    p = Stepper(phase="none", kind="pause", at=0)
    with p.create_runtime(CpuSimCfg()) as rt:
        rt.run(RunSteps(3))
        assert np.array_equal(rt.get_var(p.count.id), [3])
        rt.set_var(p.count.id, np.array([7]))
        assert p.count.get()[0] == 7
        with pytest.raises(KeyError):
            rt.get_var(-5)
    assert rt.state == "stopped"


# ------------------------------------------------------------ async waiting
class Src(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.out = OutPort((2,))


@implements(proc=Src, protocol=LoihiProtocol)
@requires(CPU)
class PySrc(PyLoihiProcessModel):
    out = LavaPyType(PyOutPort.VEC_DENSE, np.int64)

    def run_spk(self):
        self.out.send(np.full(2, self.time_step))


class Sink(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inp = InPort((2,))
        self.got = Var((6,), init=0)


@implements(proc=Sink, protocol=AsyncProtocol)
@requires(CPU)
class PySink(PyAsyncProcessModel):
    inp = LavaPyType(PyInPort.VEC_DENSE, np.int64)
    got = LavaPyType(np.ndarray, np.int64)

    def run_async(self):
        for i in range(6):      # never yields: it waits in recv across steps
            self.got[i] = self.inp.recv()[0]


def test_async_model_waits_across_steps_for_a_loihi_sender():
    src, sink = Src(), Sink()
    src.out.connect(sink.inp)
    _run(src, 6)
    assert np.array_equal(sink.got.get(), [1, 2, 3, 4, 5, 6])
    src.stop()


def test_lava_is_running_flag_holds_until_a_background_run_is_collected():
    p = Stepper(phase="none", kind="pause", at=0)
    p.run(RunSteps(5, blocking=False), CpuSimCfg())
    rt = p.runtime
    assert rt._is_running and rt._is_started       # even if the 5 steps are done
    p.wait()
    assert not rt._is_running and rt.time_step == 5
    q = Stepper(phase="spk", kind="stop", at=2)
    q.run(RunSteps(100, blocking=False), CpuSimCfg())
    q.stop()
    assert not q.runtime._is_running and q.runtime.state == "stopped"


def test_connection_configs_are_kept_on_both_ends():
    src, a, b = OutPort((2,)), InPort((2,)), InPort((2,))
    c1, c2 = object(), object()
    src.connect([a, b], [c1, c2])
    assert src.connection_configs == {a: c1, b: c2}
    assert a.connection_configs[src] is c1 and b.connection_configs[src] is c2
    out, inp = OutPort((2,)), InPort((2,))
    with pytest.raises(ValueError, match="3 connection configs for 1"):
        out.connect(inp, [c1, c1, c2])
    assert out.get_dst_ports() == []            # nothing was connected
    ref, v = RefPort((2,)), Var((2,))
    ref.connect_var(v, c1)
    (vp,) = ref.get_dst_ports()
    assert ref.connection_configs[vp] is c1 and vp.connection_configs[ref] is c1
