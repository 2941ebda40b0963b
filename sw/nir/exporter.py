"""``to_nir``: a kilauea LIF / Dense network as a ``nir.NIRGraph``.

The inverse of :mod:`kilauea.nir.mapping` with the framework's time step
``dt``: a population with ``du = 1`` (no current) becomes ``LIF`` (``dv >
0``), ``IF`` (``dv = 0``) or, a ``LIF`` with ``dv = 1`` (no memory),
``Threshold`` (``vth - bias``); one with ``du < 1`` a ``CubaLIF``; the
resistance and input weight are chosen so that the input gain is 1 (as
snnTorch exports): ``r = 1 / dv``, ``w_in = 1 / du``, ``v_leak = bias / dv``.
Each ``Dense`` / ``Sparse`` becomes a ``Linear`` node named after it; a
Dense input fed by no population (or by a host source) becomes an ``Input``
node, a population whose spikes feed no connection an ``Output`` node.

Fixed point (``fixed_point=True``): the integer parameters are written in
the float model's units (``du = (du + 1) / 4096``, ``dv / 4096``, ``vth <<
6``, ``bias_mant * 2**bias_exp``, ``weights * 2**weight_exp * 64``), the
float network the fixed-point one approximates.
"""
from __future__ import annotations

import typing as ty
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from ..core.run_configs import CpuSimCfg
from ..hw import fixed_point as fp
from ..proc.dense.process import Dense, DelayDense
from ..proc.lif.process import LIF, LIFRefractory, LIFReset
from ..proc.lifsub.process import LIFSubtract
from ..proc.sparse.process import DelaySparse, Sparse
from ..runtime.builder import build_network
from .importer import NirNetwork

__all__ = ["to_nir", "NirExportError"]

_POPS = (LIF, LIFSubtract)


class NirExportError(ValueError):
    """A process or parameter of the network has no NIR counterpart."""


def _vals(proc, name: str, n: int | None = None) -> np.ndarray:
    a = np.asarray(getattr(proc, name).init_value(), dtype=np.float64)
    return a.reshape(-1) if n is None else np.broadcast_to(a.reshape(-1), (n,)).copy()


def _neuron_node(p, dt: float, fixed: bool):
    """The NIR neuron node of population ``p`` (float parameters)."""
    import nir
    n = int(np.prod(p.s_out.shape))
    du, dv, vth = (float(_vals(p, k)[0]) for k in ("du", "dv", "vth"))
    bias = _vals(p, "bias_mant", n)
    if fixed:
        du, dv = (du + fp.DU_OFFSET) / fp.DECAY_ONE, dv / fp.DECAY_ONE
        vth = vth * (1 << fp.VTH_SHIFT)
        bias = bias * 2.0 ** _vals(p, "bias_exp", n)
    for name, x in (("du", du), ("dv", dv)):
        if not 0 <= x <= 1:
            raise NirExportError(f"to_nir: process '{p.name}': {name} = {x} is not a decay in "
                                 f"[0, 1]")
    full = lambda x: np.full(n, x, dtype=np.float64)      # noqa: E731
    if du == 1 and dv == 0:
        if np.any(bias != 0):
            raise NirExportError(f"to_nir: process '{p.name}': dv = 0 with a bias: NIR's IF "
                                 f"has no bias or leak term")
        return nir.IF(r=full(1 / dt), v_threshold=full(vth), v_reset=full(0.0))
    if dv == 0 or du == 0:
        raise NirExportError(f"to_nir: process '{p.name}': du = {du}, dv = {dv}: a CubaLIF "
                             f"needs finite time constants (du, dv > 0)")
    if du == 1 and dv == 1 and type(p) is LIF:      # no memory: a threshold
        return nir.Threshold(threshold=vth - bias)
    if du == 1:
        return nir.LIF(tau=full(dt / dv), r=full(1 / dv), v_leak=bias / dv,
                       v_threshold=full(vth), v_reset=full(0.0))
    return nir.CubaLIF(tau_syn=full(dt / du), tau_mem=full(dt / dv), r=full(1 / dv),
                       v_leak=bias / dv, v_threshold=full(vth), v_reset=full(0.0),
                       w_in=full(1 / du))


def _linear_node(c, fixed: bool):
    import nir
    if int(_vals(c, "num_message_bits")[0]) > 0:
        raise NirExportError(f"to_nir: connection '{c.name}' takes graded input "
                             f"(num_message_bits > 0): NIR's Linear after a neuron sees spikes")
    w = c.weights.init_value()
    w = np.asarray(w.toarray() if sparse.issparse(w) else w, dtype=np.float64)
    if fixed:
        w = w * 2.0 ** int(c.proc_params.get("weight_exp", 0)) * (1 << fp.ACT_SHIFT)
    return nir.Linear(weight=w)


@dataclass(frozen=True)
class _Known:
    """What a ``NirNetwork`` says about its processes: the names of its
    inputs and outputs, and its bias path (left out of the graph; each bias
    becomes the ``bias`` of an ``Affine`` node)."""
    root: ty.Any
    in_names: dict
    out_names: dict
    skip: frozenset
    bias_of: dict          # population name -> bias vector (kilauea units)


def _known(root) -> _Known:
    if not isinstance(root, NirNetwork):
        return _Known(root, {}, {}, frozenset(), {})
    skip = {id(p) for p in root.bias_relays + root.bias_hops + list(root.bias_dense.values())}
    skip |= {id(src.process) for port in root.bias_input for src, _ in port._links_in}
    bias_of = {n: np.asarray(d.weights.init_value(), dtype=np.float64)[:, 0]
               for n, d in root.bias_dense.items()}
    return _Known(root.root, {id(p): n for n, ports in root.inputs.items() for p in ports},
                  {p: o for o, p in root.outputs.items()}, frozenset(skip), bias_of)


def _check_kind(proc) -> None:
    if isinstance(proc, (LIFReset, LIFRefractory, DelayDense, DelaySparse)) or (
            hasattr(proc, "s_out") and hasattr(proc, "du") and not isinstance(proc, _POPS)):
        raise NirExportError(f"to_nir: process '{proc.name}' ({type(proc).__name__}) has no "
                             f"NIR counterpart (LIF, LIFSubtract, Dense and Sparse do)")


def to_nir(root, *, dt: float = 1e-4, fixed_point: bool = False):
    """The ``nir.NIRGraph`` of the network of ``root`` (any of its processes,
    or a ``NirNetwork``); see the module docstring. ``dt``: the time step in
    NIR's time units (snnTorch's 1e-4 by default)."""
    import nir
    k = _known(root)
    net = build_network(k.root, CpuSimCfg())
    procs = [lf.proc for lf in net.leaves if not _skipped(lf.proc, k)]
    for p in procs:
        _check_kind(p)
    pops = [p for p in procs if isinstance(p, _POPS)]
    conns = [p for p in procs if isinstance(p, (Dense, Sparse))]
    nodes = {p.name: _neuron_node(p, dt, fixed_point) for p in pops}
    nodes.update({c.name: _linear_node(c, fixed_point) for c in conns})
    edges, fed, feeds = [], set(), set()
    for ch in net.channels:
        s, d = ch.src.process, ch.dst.process
        if _skipped(s, k) or _skipped(d, k):
            continue
        if ch.transform is not None and (s in pops + conns or d in pops + conns):
            raise NirExportError(f"to_nir: {ch.src.full_name()} -> {ch.dst.full_name()} is "
                                 f"reshaped or concatenated: not exported")
        if s in conns and d in pops:
            edges.append((s.name, d.name))
        elif s in pops and d in conns:
            edges.append((s.name, d.name))
            feeds.add(s.name)
        elif d in conns:
            name = k.in_names.get(id(ch.dst), s.name)
            nodes[name] = nir.Input(input_type={"input": np.array(ch.dst.shape)})
            edges.append((name, d.name))
        fed.add(id(ch.dst))
    for c in conns:
        if id(c.s_in) not in fed:
            name = k.in_names.get(id(c.s_in), f"input_{c.name}")
            nodes.setdefault(name, nir.Input(input_type={"input": np.array(c.s_in.shape)}))
            edges.append((name, c.name))
    for p in pops:
        if p.name not in feeds or p.name in k.out_names:
            name = k.out_names.get(p.name, f"output_{p.name}")
            nodes[name] = nir.Output(output_type={"output": np.array(p.s_out.shape)})
            edges.append((p.name, name))
    _attach_biases(nodes, edges, k, fixed_point)
    return nir.NIRGraph(nodes=nodes, edges=edges)


def _skipped(proc, k: _Known) -> bool:
    return id(proc) in k.skip


def _attach_biases(nodes: dict, edges: list, k: _Known, fixed: bool) -> None:
    """The bias of a NirNetwork's population becomes the bias of the (first)
    Linear node feeding it, which becomes an Affine node."""
    import nir
    for pop, bias in k.bias_of.items():
        lin = next((s for s, d in edges if d == pop and type(nodes[s]).__name__ == "Linear"), None)
        if lin is None:
            raise NirExportError(f"to_nir: population '{pop}' has a bias input but no Linear "
                                 f"node to carry it")
        if fixed:
            raise NirExportError("to_nir: the bias path of a fixed-point NirNetwork is not "
                                 "exported; export the float network")
        nodes[lin] = nir.Affine(weight=nodes[lin].weight, bias=bias)
