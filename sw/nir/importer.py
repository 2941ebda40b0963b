"""``from_nir``: a NIR graph (``nir.NIRGraph`` or a ``.nir`` file) as kilauea Processes.

Each NIR neuron node becomes one population (``LIF`` for reset to zero,
``LIFSubtract`` for reset by subtraction); the linear nodes between two
neuron nodes (or an ``Input`` and a neuron node) compose into the weights of
one ``Dense``. Parameters follow :mod:`kilauea.nir.mapping`. Every node or
parameter that does not map is collected and reported in one
``NirImportError`` that names each of them and says why.
"""
from __future__ import annotations

import os
import typing as ty
from dataclasses import dataclass, field

import numpy as np

from ..proc.dense.process import DelayDense, Dense
from ..proc.lif.process import LIF
from ..proc.lifsub.process import LIFSubtract
from .mapping import (LINEAR_TYPES, NEURON_TYPES, LinearMap, MappingError, NeuronParams, Reset,
                      linear_map, neuron_params)

__all__ = ["from_nir", "NirNetwork", "NirImportError", "FRAMEWORKS", "Framework"]


@dataclass(frozen=True)
class Framework:
    """The conventions NIR leaves to the exporting framework: the time step
    ``dt`` that turns its time constants into per-step decays (``dt /
    tau``), the reset, and whether a CubaLIF's input spike jumps its
    current (``kilauea.nir.mapping.neuron_params``)."""
    dt: float
    reset: Reset
    current_jump: bool = False


#: Time step and reset of the frameworks whose exports kilauea reads.
FRAMEWORKS: dict[str, Framework] = {
    "snntorch": Framework(1e-4, Reset.SUBTRACT),   # export_to_nir's dt; Leaky's default reset
    # Norse 1.1 writes tau = dt / tau_inv with its dt = 1e-3: its decay dt * tau_inv is
    # 1e-6 / tau; its LIFCell adds input spikes to I and integrates v with the previous I
    "norse": Framework(1e-6, Reset.ZERO, current_jump=True),
    "lava": Framework(1.0, Reset.ZERO),            # one step per time unit; LIF resets to 0
}


class NirImportError(ValueError):
    """Every node or parameter of a NIR graph that kilauea cannot map
    (``problems``: node name -> reason), in one message."""

    def __init__(self, problems: dict[str, str]) -> None:
        self.problems = dict(problems)
        lines = "\n".join(f"  {node}: {why}" for node, why in self.problems.items())
        super().__init__(f"from_nir: {len(self.problems)} NIR node(s) cannot be mapped:\n{lines}")


@dataclass
class NirNetwork:
    """The Processes built from a NIR graph.

    ``populations``: neuron node name -> its LIF / LIFSubtract; ``dense``:
    (source node, neuron node) -> the Dense between them; ``inputs``: Input
    node name -> the Dense input ports its data enter (``connect_input``);
    ``outputs``: Output node name -> the population whose spikes it reads;
    ``latency``: neuron node name -> steps by which its spikes come later than
    in the source framework (one per Dense on the longest path from an
    input: kilauea's Dense delivers at the next step); ``framework``: the
    conventions used; ``quantize_report``: set when built in fixed point.

    Affine biases: a constant input arriving with the data, i.e. ``latency``
    steps late like them. ``bias_input`` (connect a source of ones with
    ``connect_bias``; ``run_nir`` does) feeds a chain of one-neuron relay
    populations (``bias_relays``, relay j spikes from step j + 1 on, as a
    population of latency j), and a one-column Dense (``bias_dense[node]``,
    weights ``gain * bias``) from the relay of latency k - 1 adds the bias
    to a population of latency k from its first data step on: exact for
    LIF and CubaLIF alike (the bias enters ``u``, NIR's ``I``).
    """
    populations: dict[str, ty.Any]
    dense: dict[tuple[str, str], Dense]
    inputs: dict[str, list]
    input_shapes: dict[str, tuple[int, ...]]
    outputs: dict[str, str]
    latency: dict[str, int]
    framework: Framework
    fixed_point: bool
    quantize_report: ty.Any = None
    bias_input: list = field(default_factory=list)
    bias_relays: list = field(default_factory=list)
    bias_hops: list = field(default_factory=list)
    bias_dense: dict = field(default_factory=dict)

    def connect_bias(self, out_port) -> None:
        """Connect ``out_port`` (one value, 1 at every step) to the bias path."""
        for port in self.bias_input:
            out_port.connect(port)

    def connect_input(self, name: str, out_port) -> None:
        """Connect ``out_port`` (binary spikes, ``input_shapes[name]`` values)
        to every Dense that Input node ``name`` feeds."""
        if name not in self.inputs:
            raise KeyError(f"NirNetwork: no Input node {name!r} (have {sorted(self.inputs)})")
        for port in self.inputs[name]:
            out_port.connect(port)

    def output_process(self, name: str):
        """The population read by Output node ``name``."""
        return self.populations[self.outputs[name]]

    @property
    def root(self):
        """A process of the network (to ``run`` / ``stop`` it)."""
        return next(iter(self.populations.values()))


def _load(graph):
    import nir
    if isinstance(graph, (str, os.PathLike)):
        return nir.read(str(graph))
    if not isinstance(graph, nir.NIRGraph):
        raise TypeError(f"from_nir: expected a nir.NIRGraph or a path, got {type(graph).__name__}")
    return graph


def _node_of(endpoint: str, nodes) -> str:
    """Edge endpoints may name a port (``node.output``)."""
    return endpoint if endpoint in nodes else endpoint.split(".", 1)[0]


def _shape(obj) -> tuple[int, ...] | None:
    """The node's output shape as NIR types it (None if untyped)."""
    for attr, key in (("output_type", "output"), ("input_type", "input")):
        shape = (getattr(obj, attr, None) or {}).get(key)
        if shape is not None:
            return tuple(int(x) for x in np.atleast_1d(np.asarray(shape, dtype=np.int64)))
    return None


class _Builder:
    """One import: the graph's structure, the problems found, the Processes built."""

    def __init__(self, g, fw: Framework) -> None:
        self.g, self.fw = g, fw
        self.nodes = g.nodes
        self.problems: dict[str, str] = {}
        self.preds: dict[str, list[str]] = {n: [] for n in self.nodes}
        self.succs: dict[str, list[str]] = {n: [] for n in self.nodes}
        for src, dst in g.edges:
            s, d = _node_of(src, self.nodes), _node_of(dst, self.nodes)
            if s not in self.nodes or d not in self.nodes:
                self.problems[f"{src}->{dst}"] = "edge names a node that is not in the graph"
                continue
            self.preds[d].append(s)
            self.succs[s].append(d)
        self.kind = {n: type(o).__name__ for n, o in self.nodes.items()}
        self.params: dict[str, NeuronParams] = {}

    def check_nodes(self) -> None:
        for name, kind in self.kind.items():
            if kind in ("Input", "Output") or kind in LINEAR_TYPES:
                continue
            if kind in NEURON_TYPES:
                try:
                    self.params[name] = neuron_params(name, self.nodes[name], self.fw.dt,
                                                      self.fw.current_jump)
                except MappingError as e:
                    self.problems[name] = e.reason
            else:
                self.problems[name] = _unsupported_reason(kind)

    def _is_source(self, n: str) -> bool:
        return self.kind[n] == "Input" or n in self.params

    def incoming(self, neuron: str) -> list[tuple[str, LinearMap]]:
        """(source node, composed linear map) for each path into ``neuron``."""
        out = []
        for p in self.preds[neuron]:
            chain, cur = [], p
            while not self._is_source(cur):
                if self.kind[cur] not in LINEAR_TYPES or len(self.preds[cur]) != 1:
                    if self.kind[cur] in LINEAR_TYPES:
                        self.problems[cur] = (f"{self.kind[cur]} with {len(self.preds[cur])} "
                                              f"inputs: kilauea's Dense has one source")
                    return []
                if cur in chain:
                    self.problems[cur] = "a cycle of linear nodes (no neuron on the loop)"
                    return []
                chain.append(cur)
                cur = self.preds[cur][0]
            try:
                m = LinearMap.identity(self._shape_of(cur))
                for lin in reversed(chain):
                    m = m.then(linear_map(lin, self.nodes[lin], m.shape))
            except MappingError as e:
                self.problems[e.node] = e.reason
                return []
            out.append((cur, m))
        return out

    def _shape_of(self, n: str) -> tuple[int, ...]:
        shape = _shape(self.nodes[n])
        if n in self.params:
            size = self.params[n].gain.size
            return shape if shape is not None and int(np.prod(shape)) == size else (size,)
        if shape is None:
            raise MappingError(n, "the Input node has no input_type")
        return shape

    def check_outputs(self) -> dict[str, str]:
        outs = {}
        for name, kind in self.kind.items():
            if kind != "Output":
                continue
            src = self.preds[name]
            if len(src) != 1 or src[0] not in self.params:
                self.problems[name] = ("an Output must read one neuron node directly (a linear "
                                       "node's graded value has no kilauea output port)")
                continue
            outs[name] = src[0]
        for n, p in self.params.items():
            if not p.spiking and any(self.kind[s] != "Output" for s in self.succs[n]):
                self.problems[n] = ("LI's output is its voltage, a graded value: kilauea maps "
                                    "LI only as an output node (read its 'v' Var)")
        return outs


def _unsupported_reason(kind: str) -> str:
    reasons = {
        "NIRGraph": "nested graphs (e.g. snnTorch's recurrent RLeaky) are not mapped; flatten "
                    "the graph first",
        "Delay": "per-element delays are not mapped (kilauea's delays are per synapse, "
                 "DelayDense)",
        "I": "the integrator without threshold (I) has no spiking output",
        "CubaLI": "the current-based leaky integrator (CubaLI) has no spiking output",
    }
    return reasons.get(kind, f"node type {kind} has no kilauea counterpart")


def _latency(b: _Builder, incoming: dict[str, list]) -> dict[str, int]:
    """Longest number of Dense hops from an Input (cycles cut where they close)."""
    memo: dict[str, int] = {}

    def depth(n: str, stack: frozenset) -> int:
        if n in memo:
            return memo[n]
        hop = 1 + b.params[n].input_delay
        d = max((hop + (0 if b.kind[s] == "Input" else depth(s, stack | {n}))
                 for s, _ in incoming[n] if s not in stack | {n}), default=hop)
        memo[n] = d
        return d

    return {n: depth(n, frozenset()) for n in incoming}


def _population(name: str, p: NeuronParams, bias: np.ndarray, reset: Reset):
    cls = LIFSubtract if reset is Reset.SUBTRACT and not p.stateless else LIF
    vth = p.vth if p.spiking else float(np.finfo(np.float64).max)
    return cls(shape=(p.gain.size,), du=p.du, dv=p.dv, bias_mant=bias, vth=vth, name=name)


def from_nir(graph, *, framework: str = "snntorch", dt: float | None = None,
             reset: Reset | str | None = None, fixed_point: bool = False) -> NirNetwork:
    """Build kilauea Processes for NIR graph ``graph`` (a ``nir.NIRGraph`` or
    the path of a ``.nir`` file).

    ``framework`` (a key of ``FRAMEWORKS``) gives the time step ``dt`` (in
    NIR's time units) and the ``reset`` (``Reset`` or ``"zero"`` /
    ``"subtract"``); ``dt`` and ``reset`` override it. ``fixed_point=True``
    quantises the network for the chip with ``kilauea.quantize``.
    Raises ``NirImportError`` naming every node or parameter that does not map.
    """
    if framework not in FRAMEWORKS:
        raise ValueError(f"from_nir: framework {framework!r} unknown (have {sorted(FRAMEWORKS)})")
    fw = FRAMEWORKS[framework]
    fw = Framework(float(dt) if dt is not None else fw.dt,
                   Reset(reset) if reset is not None else fw.reset, fw.current_jump)
    if not fw.dt > 0:
        raise ValueError(f"from_nir: dt = {fw.dt} must be > 0")
    b = _Builder(_load(graph), fw)
    b.check_nodes()
    incoming = {n: b.incoming(n) for n in b.params}
    outputs = b.check_outputs()
    for n, p in b.params.items():
        if fixed_point and not p.spiking:
            b.problems[n] = "LI has no threshold to set its fixed-point scale: float only"
    if b.problems:
        raise NirImportError(b.problems)
    return _build(b, incoming, outputs, fixed_point)


def _relay(j: int):
    """A one-neuron population that spikes whenever its input is 1."""
    return LIF(shape=(1,), du=1.0, dv=1.0, vth=0.5, name=f"nir_bias_relay_{j}")


def _bias_path(net: NirNetwork, params: dict, incoming: dict) -> None:
    """The relays and one-column Denses of the Affine biases (see NirNetwork)."""
    biased = {}
    for n, p in params.items():
        total = sum((p.gain * m.bias for _, m in incoming[n]), np.zeros_like(p.bias))
        if np.any(total != 0):
            biased[n] = total
    if not biased:
        return
    depth = max(net.latency[n] for n in biased)
    for j in range(1, depth):          # relay j: fed by relay j - 1 (j = 1: by the input)
        hop = Dense(weights=np.ones((1, 1)), name=f"nir_bias_{j}")
        net.bias_hops.append(hop)
        if j == 1:
            net.bias_input.append(hop.s_in)
        else:
            net.bias_relays[-1].s_out.connect(hop.s_in)
        relay = _relay(j)
        hop.a_out.connect(relay.a_in)
        net.bias_relays.append(relay)
    for n, total in biased.items():
        k = net.latency[n]
        d = Dense(weights=total[:, None], name=f"nir_bias->{n}")
        net.bias_dense[n] = d
        d.a_out.connect(net.populations[n].a_in)
        if k == 1:
            net.bias_input.append(d.s_in)
        else:
            net.bias_relays[k - 2].s_out.connect(d.s_in)


def _build(b: _Builder, incoming, outputs, fixed_point: bool) -> NirNetwork:
    pops, dense, inputs, shapes = {}, {}, {}, {}
    for n, p in b.params.items():
        pops[n] = _population(n, p, p.bias, b.fw.reset)
    for n, p in b.params.items():
        for src, m in incoming[n]:
            w = p.gain[:, None] * m.weight
            d = (DelayDense(weights=w, delays=p.input_delay, name=f"{src}->{n}")
                 if p.input_delay else Dense(weights=w, name=f"{src}->{n}"))
            dense[(src, n)] = d
            d.a_out.connect(pops[n].a_in)
            if src in pops:
                pops[src].s_out.connect(d.s_in)
            else:
                inputs.setdefault(src, []).append(d.s_in)
                shapes[src] = _shape(b.nodes[src])
    net = NirNetwork(pops, dense, inputs, shapes, outputs, _latency(b, incoming), b.fw,
                     fixed_point)
    _bias_path(net, b.params, incoming)
    if fixed_point:
        from ..tools.quantize import quantize
        net.quantize_report = quantize(net.root, num_steps=0)
    return net
