"""Pass 1, partition: split a built network into its chip and host parts.

Input: a `Network` (`kilauea.runtime.builder.build_network`) whose chip
leaves have a model class subclassing `NcNeuronModel` or
`NcConnectionModel` (and no model instance); every other leaf runs on the
host. Output: a `ChipGraph`.

Rules (each violation is a `CompileError` naming the processes):

- chip neuron OutPort -> chip connection InPort: spikes enter synapses;
- chip connection OutPort -> chip neuron InPort: a projection (one per
  pair of (source feeding the connection, population fed by it));
- host OutPort -> chip connection InPort: a host source (step_offset 0:
  the value acts at t + 1 + delay, as through Lava's Dense);
- host OutPort -> chip neuron InPort: a host source entering the neuron's
  input directly (step_offset -1: it acts in the same step) through a
  weight-1 synapse on an accumulator group with exponent 0;
- chip neuron OutPort -> host InPort: the population's spikes go to the host;
- chip -> host only from neuron OutPorts (a connection's output is an
  accumulator sum that never leaves the core); neuron -> neuron directly and
  connection -> connection are not mapped;
- a chip -> host -> chip path that would have to act inside one step (a
  host process reached from chip spikes, through host processes, feeding a
  chip neuron's input directly) is rejected: Lava needs a delay in such a
  loop, put a Dense between the host process and the neuron.

Transforms of reshaping / transposing / concatenating ports are applied to
index arrays to get element maps (`element_map`).
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from enum import Enum

import numpy as np

from ..hw.fixed_point import WEIGHT_BITS, WEIGHT_EXP
from .errors import ChipRefusal, CompileError
from .graph import ChipGraph, HostSource, Population, Projection
from .ncmodel import NcConnectionModel, NcNeuronModel, VarValues

__all__ = ["partition", "element_map"]


def element_map(spec) -> np.ndarray:
    """For each element of `spec.dst` (flat, C order), the element of
    `spec.src` it receives from, or -1 (int64 array of dst.size)."""
    src_shape = tuple(spec.src.shape)
    n_src = int(np.prod(src_shape))
    idx = np.arange(1, n_src + 1, dtype=np.int64).reshape(src_shape)
    out = idx if spec.transform is None else np.asarray(spec.transform(idx))
    n_dst = int(np.prod(tuple(spec.dst.shape)))
    if out.size != n_dst:
        raise CompileError(f"connection {spec.src.full_name()} -> {spec.dst.full_name()}: its "
                           f"transform gives {out.size} elements for a port of {n_dst}")
    return out.reshape(-1).astype(np.int64) - 1


class LeafKind(Enum):
    """Where a leaf process runs and what it is there."""
    NEURON = "chip neuron population"
    CONN = "chip connection"
    HOST = "host process"


NEURON, CONN, HOST = LeafKind.NEURON, LeafKind.CONN, LeafKind.HOST


@dataclass(frozen=True, eq=False)
class _DirectInput:
    """A host source entering chip population `pop`'s input directly (in the same
    step); `element_map[i]`: the source element population element i receives, or -1."""
    source: HostSource
    pop: Population
    element_map: np.ndarray
    port: int = 0           # index into the population model's input_ports()


@dataclass(frozen=True, eq=False)
class _HostSink:
    """Chip population `pop`'s spikes go to host process `process`."""
    pop: Population
    process: object


def _kind(leaf) -> LeafKind:
    cls = leaf.model_cls
    if isinstance(cls, type) and issubclass(cls, NcNeuronModel):
        return NEURON
    if isinstance(cls, type) and issubclass(cls, NcConnectionModel):
        return CONN
    from ..core.model import AbstractNcProcessModel
    if isinstance(cls, type) and issubclass(cls, AbstractNcProcessModel):
        raise CompileError(f"process '{leaf.proc.name}': chip model {cls.__name__} is neither an "
                           f"NcNeuronModel nor an NcConnectionModel; the compiler cannot map it")
    return HOST


def _cpu_only(proc) -> bool:
    """No chip model implements ``proc``'s class (models are those of the
    nearest class in its MRO that has any, as the runtime finds them)."""
    from ..core.decorators import MODEL_REGISTRY
    from ..core.model import AbstractNcProcessModel
    for cls in type(proc).__mro__:
        models = [m for m in MODEL_REGISTRY if m.__dict__.get("implements_process") is cls]
        if models:
            return not any(issubclass(m, AbstractNcProcessModel) for m in models)
    return True


def _expand_targets(post: np.ndarray, out_map: np.ndarray):
    """Join synapse targets `post` (connection output elements) with the
    population elements each output element feeds. Returns (synapse index,
    population element) pairs."""
    k = np.flatnonzero(out_map >= 0)
    if len(k) == len(out_map) and np.array_equal(out_map, np.arange(len(out_map))):
        return np.arange(len(post)), post
    conn_el = out_map[k]
    order = np.argsort(conn_el, kind="stable")
    conn_sorted, k_sorted = conn_el[order], k[order]
    lo = np.searchsorted(conn_sorted, post, side="left")
    hi = np.searchsorted(conn_sorted, post, side="right")
    cnt = hi - lo
    syn = np.repeat(np.arange(len(post)), cnt)
    start = np.cumsum(cnt) - cnt
    pos = lo[syn] + (np.arange(int(cnt.sum())) - start[syn])
    return syn, k_sorted[pos]


def partition(network, vals: VarValues) -> ChipGraph:
    """Pass 1: the chip graph of `network` (a built network), its chip
    models reading Vars through `vals`."""
    kinds = {id(lf.proc): _kind(lf) for lf in network.leaves}
    models = {id(lf.proc): lf.model_cls for lf in network.leaves}
    pops: dict[int, Population] = {}
    conns: list = []
    for lf in network.leaves:
        if kinds[id(lf.proc)] == NEURON:
            m = lf.model_cls
            pops[id(lf.proc)] = Population(len(pops), lf.proc, m, m.size(lf.proc))
        elif kinds[id(lf.proc)] == CONN:
            conns.append(lf.proc)
    conn_in: dict[int, list] = {id(c): [] for c in conns}     # (source, in_map)
    conn_out: dict[int, list] = {id(c): [] for c in conns}    # (population, out_map)
    host_sources: dict[tuple, HostSource] = {}
    direct: list[_DirectInput] = []
    host_edges: dict[int, set] = {}                           # host proc -> host procs it feeds
    host_procs: dict[int, object] = {}
    chip_to_host: list[_HostSink] = []

    def host_source(port, step_offset, graded) -> HostSource:
        key = (id(port), step_offset, graded)
        if key not in host_sources:
            host_sources[key] = HostSource(len(host_sources), port, int(np.prod(port.shape)),
                                           step_offset, graded)
        return host_sources[key]

    pending_host_in = []
    for spec in network.channels:
        sp, dp = spec.src.process, spec.dst.process
        sk, dk = kinds[id(sp)], kinds[id(dp)]
        where = f"{spec.src.full_name()} -> {spec.dst.full_name()}"
        if dk == NEURON:
            want = models[id(dp)].input_ports()
            if spec.dst.name not in want:
                raise CompileError(f"{where}: the chip model of '{dp.name}' takes input only on "
                                   f"its port{'s' if len(want) > 1 else ''} "
                                   f"{', '.join(repr(w) for w in want)}")
        elif dk == CONN:
            want = models[id(dp)].in_port
            if spec.dst.name != want:
                raise CompileError(f"{where}: the chip model of '{dp.name}' takes input only on "
                                   f"its port '{want}'")
        if sk != HOST:
            want = models[id(sp)].out_port
            if spec.src.name != want:
                raise CompileError(f"{where}: the chip model of '{sp.name}' sends only on its "
                                   f"port '{want}'")
        if sk == HOST and dk == HOST:
            host_procs[id(sp)], host_procs[id(dp)] = sp, dp
            host_edges.setdefault(id(sp), set()).add(id(dp))
        elif sk == NEURON and dk == CONN:
            conn_in[id(dp)].append((pops[id(sp)], element_map(spec)))
        elif sk == HOST and dk == CONN:
            pending_host_in.append((spec, dp))
        elif sk == CONN and dk == NEURON:
            conn_out[id(sp)].append((pops[id(dp)], element_map(spec),
                                     models[id(dp)].input_ports().index(spec.dst.name)))
        elif sk == HOST and dk == NEURON:
            why = models[id(dp)].direct_host_input
            if why is not None:
                raise ChipRefusal(f"{where}: process '{dp.name}' ({type(dp).__name__}) cannot "
                                  f"take input straight from a host process on the chip: "
                                  f"{why}; or run it with CpuSimCfg", dp)
            direct.append(_DirectInput(host_source(spec.src, -1, True), pops[id(dp)],
                                       element_map(spec),
                                       models[id(dp)].input_ports().index(spec.dst.name)))
            host_procs[id(sp)] = sp
        elif sk == NEURON and dk == HOST:
            pop = pops[id(sp)]
            pop.host_out = spec.src
            pop.host_out_graded = bool(pop.model.graded_out)
            chip_to_host.append(_HostSink(pop, dp))
            host_procs[id(dp)] = dp
        elif sk == CONN and dk == HOST:
            if _cpu_only(dp):
                raise CompileError(f"{where}: process '{dp.name}' ({type(dp).__name__}) has no "
                                   f"chip model, it runs on the CPU only, and a chip "
                                   f"connection's output cannot go to the host (only neuron "
                                   f"OutPorts send to the host); run this network with "
                                   f"CpuSimCfg, or feed '{dp.name}' from a neuron's spikes")
            raise CompileError(f"{where}: a chip connection's output cannot go to the host (only "
                               f"neuron OutPorts send to the host); run '{dp.name}' on the chip "
                               f"or connect it to a neuron's spikes")
        elif sk == NEURON and dk == NEURON:
            raise CompileError(f"{where}: chip neurons connect to chip neurons through a "
                               f"connection process (Dense, Sparse, DelayDense)")
        else:
            raise CompileError(f"{where}: a chip connection feeding another chip connection "
                               f"cannot be mapped")
    for spec, dp in pending_host_in:
        graded = models[id(dp)].graded(dp, vals)
        conn_in[id(dp)].append((host_source(spec.src, 0, graded), element_map(spec)))
        host_procs[id(spec.src.process)] = spec.src.process

    _check_zero_delay_loops(chip_to_host, direct, host_edges, host_procs)

    # projections
    conn_models = {id(c): models[id(c)] for c in conns}
    for c in conns:
        m = conn_models[id(c)]
        ins, outs = conn_in[id(c)], conn_out[id(c)]
        if not ins or not outs:
            continue                     # an unconnected connection does nothing
        graded = m.graded(c, vals)
        if not graded and len(ins) > 1:
            cover = np.zeros(int(np.prod(getattr(c, m.in_port).shape)), dtype=np.int64)
            for _, in_map in ins:
                cover += in_map >= 0
            if cover.max() > 1:
                raise CompileError(f"connection '{c.name}': several OutPorts feed the same "
                                   f"element of its binary input {m.in_port} (Lava casts their "
                                   f"sum to one spike); the chip adds them: use "
                                   f"num_message_bits > 0 or separate connections")
        wexp = _chip_weight_exp(c, m.weight_exp(c))
        pre, post, w, d = (np.asarray(a, dtype=np.int64) for a in m.synapses(c, vals))
        for source, in_map in ins:
            src_el = in_map[pre]
            keep = src_el >= 0
            for pop, out_map, port in outs:
                syn, tgt = _expand_targets(post[keep], out_map)
                sel = np.flatnonzero(keep)[syn]
                name = f"{source.name} -> {c.name} -> {pop.name}"
                pop.projections.append(Projection(
                    name, pop, source, src_el[sel], tgt, w[sel], d[sel], wexp, graded, c,
                    port=port))
    for d in direct:
        hs, pop, m = d.source, d.pop, d.element_map
        tgt = np.flatnonzero(m >= 0)
        one = np.ones(len(tgt), dtype=np.int64)
        pop.projections.append(Projection(
            f"{hs.name} -> {pop.name}.{pop.model.input_ports()[d.port]}", pop, hs, m[tgt], tgt,
            one, np.zeros(len(tgt), dtype=np.int64), 0, True, None, port=d.port))
    chip = [lf.proc for lf in network.leaves if kinds[id(lf.proc)] != HOST]
    return ChipGraph(list(pops.values()), list(host_sources.values()), conns, conn_models, chip)


def _chip_weight_exp(conn, wexp: int) -> int:
    """A connection's weight_exp, refused where the chip's profile word for
    it (`fixed_point.WEIGHT_EXP`) cannot hold it, and so is a
    `num_weight_bits` outside 1..8 (the prepared weights would leave the
    synapse word's 9-bit field)."""
    nwb = conn.proc_params.get("num_weight_bits", WEIGHT_BITS)
    for name, value, lo, hi in (("weight_exp", int(wexp), WEIGHT_EXP.lo, WEIGHT_EXP.hi),
                                ("num_weight_bits", nwb, 1, WEIGHT_BITS)):
        if not lo <= value <= hi:
            raise ChipRefusal(f"connection '{conn.name}' ({type(conn).__name__}), parameter "
                              f"{name}: {name}={value}; the chip's limit is {lo}..{hi} (the "
                              f"CPU models take any integer, as lava-nc)", conn)
    return int(wexp)


def _check_zero_delay_loops(chip_to_host: list[_HostSink], direct: list[_DirectInput],
                            host_edges: dict[int, set], host_procs: dict[int, object]) -> None:
    if not chip_to_host or not direct:
        return
    reached: dict[int, object] = {}        # host proc id -> chip population it came from
    queue = deque()
    for sink in chip_to_host:
        pop, hp = sink.pop, sink.process
        if id(hp) not in reached:
            reached[id(hp)] = pop
            queue.append(id(hp))
    while queue:
        h = queue.popleft()
        for nxt in host_edges.get(h, ()):
            if nxt not in reached:
                reached[nxt] = reached[h]
                queue.append(nxt)
    for d in direct:
        hs, pop = d.source, d.pop
        hp = hs.port.process
        if id(hp) in reached:
            raise CompileError(
                f"zero-delay chip -> host -> chip path: spikes of chip process "
                f"'{reached[id(hp)].name}' reach host process '{hp.name}', whose "
                f"{hs.port.name} feeds chip process '{pop.name}' directly in the same step; "
                f"put a Dense (or DelayDense) between '{hp.name}' and '{pop.name}'")
