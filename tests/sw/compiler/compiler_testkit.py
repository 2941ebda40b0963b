"""Test kit of the compiler tests: a chip run config (Nc model where a
process has one, else the fixed_pt CPU model), a driver that runs a
CompiledNetwork on the golden engine step by step (host inputs injected per
HostInput, host-bound spikes decoded per HostOutput, Vars read through
their VarSlots), and the CPU fixed_pt reference with Monitors."""
from __future__ import annotations

import numpy as np

from kilauea import CpuSimCfg, Monitor, RunSteps
from kilauea.compiler import compile_network
from kilauea.core.model import AbstractNcProcessModel
from kilauea.core.run_configs import RunConfig
from kilauea.proc.io import source
from kilauea.runtime.builder import build_network
from kilauea.sim.engines.golden import GoldenEngine


class ChipTestCfg(RunConfig):
    """Chip model when the process has one, else the fixed_pt CPU model."""

    def select(self, process, proc_models):
        nc = [m for m in proc_models if issubclass(m, AbstractNcProcessModel)]
        if nc:
            return nc[0]
        return CpuSimCfg(select_tag="fixed_pt").select(process, proc_models)


def compile_procs(root, params, **kw):
    network = build_network(root, ChipTestCfg())
    return network, compile_network(network, params, **kw)


def ring_values(proc, t):
    """Value of an io.source.RingBuffer at step t."""
    data = np.asarray(proc.data.init)
    return data[..., (t - 1) % data.shape[-1]]


def read_var(eng, slot, copy=0):
    return slot.read(eng, copy)


def write_var(eng, slot, value):
    """Write a Var's value (broadcast to its shape) to every copy of its slot."""
    v = np.broadcast_to(np.asarray(value, dtype=np.int64), slot.shape).reshape(-1)
    for c in slot.copies:
        c.write(eng, v if len(c) == len(v) else v[:1])


def run_chip(cn, n_steps, probes, host_values=None, before_step=None, images=None,
             engine=GoldenEngine):
    """Run `cn` on the golden engine. probes: list of (proc, var name);
    before_step(t, eng) is called before each step. Returns
    ({(id(proc), var): [n_steps, ...]}, {id(port): [n_steps, size]}, engine)."""
    host_values = host_values or (lambda proc, t: ring_values(proc, t))
    eng = engine(cn.params)
    eng.load_images(images if images is not None else cn.images)
    rec = {(id(p), v): [] for p, v in probes}
    spikes = {id(ho.port): [] for ho in cn.outputs}
    for t in range(1, n_steps + 1):
        if before_step is not None:
            before_step(t, eng)
        flits = [hi.flits(t, host_values(hi.port.process, t)) for hi in cn.inputs]
        res = eng.step(t, np.concatenate(flits) if flits else None)
        for ho in cn.outputs:
            spikes[id(ho.port)].append(ho.values(res.host_axon, res.host_payload))
        for p, v in probes:
            rec[(id(p), v)].append(read_var(eng, cn.var_slot(p, v)))
    return ({k: np.array(v) for k, v in rec.items()},
            {k: np.array(v) for k, v in spikes.items()}, eng)


def run_cpu(root, n_steps, lifs, pause_at=None, on_pause=None):
    """CPU fixed_pt run with Monitors on u, v and s_out of each LIF (paused
    after step `pause_at` to call on_pause()). Returns {name: {"u":[T,n],
    "v":[T,n], "s_out":[T,n]}}."""
    mons = []
    for lif in lifs:
        m = Monitor()
        m.probe(lif.u, n_steps)
        m.probe(lif.v, n_steps)
        m.probe(lif.s_out, n_steps)
        mons.append((lif, m))
    cfg = CpuSimCfg(select_tag="fixed_pt")
    if pause_at:
        root.run(condition=RunSteps(num_steps=pause_at), run_cfg=cfg)
        on_pause()
        root.run(condition=RunSteps(num_steps=n_steps - pause_at), run_cfg=cfg)
    else:
        root.run(condition=RunSteps(num_steps=n_steps), run_cfg=cfg)
    out = {}
    for lif, m in mons:
        d = m.get_data()[lif.name]
        out[lif.name] = {k: np.asarray(d[k]).reshape(n_steps, -1).astype(np.int64)
                         for k in ("u", "v", "s_out")}
    root.stop()
    return out


# ----------------------------------------------------------- random networks
def random_network(seed: int, recurrent: bool, max_neurons: int = 60):
    """A seeded random LIF network (LIF / LIFReset / LIFRefractory layers,
    Dense / Sparse / DelayDense projections, host RingBuffer sources into
    connections and straight into a_in, sinks on some layers). Returns
    (root process, list of LIF processes); calling it twice with one seed
    gives two identical, independent networks."""
    from scipy import sparse as sp

    from kilauea import LIF, Dense, DelayDense, LIFRefractory, LIFReset, Sparse
    from kilauea.proc.io import sink

    rng = np.random.default_rng(seed)
    n_layers = int(rng.integers(2, 4))
    sizes = [int(s) for s in rng.integers(3, max(4, max_neurons // n_layers), n_layers)]
    lifs = []
    for i, n in enumerate(sizes):
        kind = rng.choice(["lif", "lif", "reset", "refr"])
        common = dict(shape=(n,), du=int(rng.integers(0, 4096)), dv=int(rng.integers(0, 4096)),
                      vth=int(rng.integers(5, 200)), bias_mant=rng.integers(-20, 60, n),
                      bias_exp=rng.integers(0, 5, n), u=rng.integers(-500, 500, n),
                      v=rng.integers(-500, 500, n), name=f"L{i}")
        if kind == "reset":
            lifs.append(LIFReset(reset_interval=int(rng.integers(1, 9)),
                                 reset_offset=int(rng.integers(0, 9)), **common))
        elif kind == "refr":
            lifs.append(LIFRefractory(refractory_period=int(rng.integers(1, 5)), **common))
        else:
            lifs.append(LIF(**common))
    groups = [set() for _ in lifs]        # group keys used per target

    def pick_exp(ti, delays_distinct=1):
        for _ in range(10):
            e = int(rng.integers(-3, 3))
            key = ("e", e) if e >= 0 else ("p", len(groups[ti]) + 100 + rng.random())
            need = 1 if e >= 0 else delays_distinct
            new = (0 if key in groups[ti] else need)
            if len(groups[ti]) + new <= 4:
                if e >= 0:
                    groups[ti].add(key)
                else:
                    for k in range(need):
                        groups[ti].add((key, k))
                return e
        return 0 if ("e", 0) in groups[ti] or len(groups[ti]) < 4 else None

    conn_id = [0]

    def connect(src_port, n_src, ti, graded=False):
        n_dst = sizes[ti]
        kind = rng.choice(["dense", "sparse", "delay"])
        dens = rng.uniform(0.2, 0.9)
        w = rng.integers(-120, 255, (n_dst, n_src)) * (rng.random((n_dst, n_src)) < dens)
        if rng.random() < 0.3:
            w = np.abs(w)
        nmb = int(rng.integers(1, 9)) if graded else 0
        conn_id[0] += 1
        name = f"C{conn_id[0]}"
        if kind == "delay":
            dvals = rng.choice(np.arange(0, 15), size=int(rng.integers(1, 3)), replace=False)
            e = pick_exp(ti, len(dvals))
            if e is None:
                return
            d = rng.choice(dvals, size=w.shape)
            c = DelayDense(weights=w, delays=d.astype(np.int32), weight_exp=e,
                           num_message_bits=nmb, name=name)
        else:
            e = pick_exp(ti)
            if e is None:
                return
            if kind == "sparse":
                c = Sparse(weights=sp.csr_matrix(w), weight_exp=e, num_message_bits=nmb, name=name)
            else:
                c = Dense(weights=w, weight_exp=e, num_message_bits=nmb, name=name,
                          num_weight_bits=int(rng.integers(5, 9)))
        src_port.connect(c.s_in)
        c.a_out.connect(lifs[ti].a_in)

    # host sources
    n_in = int(rng.integers(2, 12))
    src = source.RingBuffer(data=(rng.random((n_in, 17)) < 0.4).astype(np.int32), name="SRC")
    connect(src.s_out, n_in, 0)
    if rng.random() < 0.5:
        gsrc = source.RingBuffer(data=rng.integers(-3, 6, (n_in, 13)).astype(np.int32), name="GSRC")
        connect(gsrc.s_out, n_in, int(rng.integers(0, n_layers)), graded=True)
    if rng.random() < 0.6 and ("e", 0) in groups[0] or len(groups[0]) < 4:
        groups[0].add(("e", 0))
        dsrc = source.RingBuffer(data=rng.integers(-40, 80, (sizes[0], 11)).astype(np.int32),
                                 name="DSRC")
        dsrc.s_out.connect(lifs[0].a_in)
    # layers
    for i in range(1, n_layers):
        connect(lifs[i - 1].s_out, sizes[i - 1], i)
    if recurrent:
        for i in range(n_layers):
            if rng.random() < 0.6:
                connect(lifs[i].s_out, sizes[i], i)
            j = int(rng.integers(0, n_layers))
            if j < i:
                connect(lifs[i].s_out, sizes[i], j)
    for i, lif in enumerate(lifs):
        if rng.random() < 0.7:
            lif.s_out.connect(sink.RingBuffer(shape=(sizes[i],), buffer=5, name=f"SINK{i}").a_in)
    return lifs[0], lifs


def compare(seed, recurrent, params, n_steps=50, max_neurons=60):
    """Chip (golden engine) vs CPU fixed_pt on random_network(seed): every
    probed u, v and every host-bound spike, every step. Returns (compiled
    network, CPU reference)."""
    root, lifs = random_network(seed, recurrent, max_neurons)
    ref = run_cpu(root, n_steps, lifs)
    root, lifs = random_network(seed, recurrent, max_neurons)
    _, cn = compile_procs(root, params)
    probes = [(l, v) for l in lifs for v in ("u", "v")]
    rec, spikes, _ = run_chip(cn, n_steps, probes)
    for lif in lifs:
        for v in ("u", "v"):
            got, want = rec[(id(lif), v)].reshape(n_steps, -1), ref[lif.name][v]
            if not np.array_equal(got, want):
                t, i = np.argwhere(got != want)[0]
                raise AssertionError(f"seed {seed}: {lif.name}.{v} differs first at step {t + 1} "
                                     f"element {i}: chip {got[t, i]}, cpu {want[t, i]}")
        if id(lif.s_out) in spikes:
            got, want = spikes[id(lif.s_out)], ref[lif.name]["s_out"]
            if not np.array_equal(got, want):
                t, i = np.argwhere(got != want)[0]
                raise AssertionError(f"seed {seed}: {lif.name} spikes differ first at step "
                                     f"{t + 1} element {i}")
    return cn, ref


# ----------------------------------------------------------- a host relay
from kilauea import (AbstractProcess, CPU, InPort, LavaPyType, LoihiProtocol,  # noqa: E402
                     OutPort, PyInPort, PyLoihiProcessModel, PyOutPort, implements, requires, tag)


class Relay(AbstractProcess):
    """A host process that sends on s_out what it received on a_in in the same step."""

    def __init__(self, shape, name=None):
        super().__init__(shape=shape, name=name)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)


@implements(proc=Relay, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyRelayModel(PyLoihiProcessModel):
    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32)

    def run_spk(self):
        self.s_out.send(self.a_in.recv())
