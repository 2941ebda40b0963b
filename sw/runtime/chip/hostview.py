"""The network the CPU executor sees when the chip runs beside it: the host
leaves, plus one ``ChipNode`` standing for every chip process, with the
channels between host and chip rewired to the node's ports
(docs/chip-runtime.md, "The chip as one node")."""
from __future__ import annotations

import dataclasses
import typing as ty

from ...core.exceptions import KilaueaError
from ..builder import ChannelSpec, Leaf, Network
from .node import ChipNode, DeferredSpec

__all__ = ["host_view"]

#: (chip process, OutPort name) -> the dtype the node's output port sends
DtypeOf = ty.Callable[[ty.Any, str], ty.Any]


class _Rewirer:
    """Rewires the channels of one network around the chip node."""

    def __init__(self, net: Network, node: ChipNode, compiled, chip_ids: set,
                 out_dtype: DtypeOf):
        self.node, self.chip_ids, self.out_dtype = node, chip_ids, out_dtype
        self.pyport = {(id(lf.proc), p.name): p for lf in net.leaves if lf.model is not None
                       for p in lf.model.py_ports}
        self.ins_by_port: dict = {}
        for hin in compiled.inputs:
            self.ins_by_port.setdefault(id(hin.port), []).append(hin)
        self.outs_by_port = {id(o.port): o for o in compiled.outputs}
        self.in_done: set = set()
        self.out_port_of: dict = {}
        self.channels: list = []

    def add(self, spec: ChannelSpec) -> None:
        s_chip = id(spec.src.process) in self.chip_ids
        d_chip = id(spec.dst.process) in self.chip_ids
        if s_chip and d_chip:
            return                                        # inside the chip
        if not s_chip and not d_chip:
            self.channels.append(spec)
        elif d_chip:
            self._host_to_chip(spec)
        else:
            self._chip_to_host(spec)

    def _host_to_chip(self, spec: ChannelSpec) -> None:
        key = id(spec.src)
        if key in self.in_done:
            return
        maps = self.ins_by_port.get(key)
        if not maps:
            raise KilaueaError(
                f"{spec.src.full_name()} -> {spec.dst.full_name()}: the compiled network "
                f"has no host input map for this host OutPort")
        src_py = self.pyport[(id(spec.src.process), spec.src.name)]
        self.in_done.add(key)
        node = self.node
        name = f"in_{len(node.immediate) + len(node.deferred)}<{spec.src.full_name()}>"
        made = node.add_input(name, spec.src.shape, src_py.d_type,
                              [h for h in maps if h.step_offset < 0],
                              [h for h in maps if h.step_offset >= 0])
        for port, deferred in made:
            cls = DeferredSpec if deferred else ChannelSpec
            self.channels.append(cls(spec.src, port, None))

    def _chip_to_host(self, spec: ChannelSpec) -> None:
        key = id(spec.src)
        if key not in self.out_port_of:
            hout = self.outs_by_port.get(key)
            if hout is None:
                raise KilaueaError(
                    f"{spec.src.full_name()} -> {spec.dst.full_name()}: the compiled "
                    f"network has no host output map for this chip OutPort")
            dt = self.out_dtype(spec.src.process, spec.src.name)
            self.out_port_of[key] = self.node.add_output(hout, spec.src.full_name(),
                                                         spec.src.shape, dt)
        self.channels.append(ChannelSpec(self.out_port_of[key], spec.dst, spec.transform))


def host_view(net: Network, node: ChipNode, compiled, chip_ids: set,
              out_dtype: DtypeOf) -> Network:
    """The network the CPU executor runs: `net`'s host leaves and `node` in
    place of the chip leaves (whose process ids are `chip_ids`); channels
    between host and chip go to and from the node's ports, made here."""
    leaves, placed = [], False
    for lf in net.leaves:
        if id(lf.proc) in chip_ids:
            if not placed:
                leaves.append(Leaf(node._process, ChipNode, node, len(leaves)))
                placed = True
        else:
            leaves.append(dataclasses.replace(lf, index=len(leaves)))
    rw = _Rewirer(net, node, compiled, chip_ids, out_dtype)
    for spec in net.channels:
        rw.add(spec)
    for o in compiled.outputs:                            # compiled but unread
        if id(o.port) not in rw.out_port_of:
            node.add_output(o, None)
    return dataclasses.replace(net, leaves=leaves, channels=rw.channels,
                               var_home=dict(net.var_home))
