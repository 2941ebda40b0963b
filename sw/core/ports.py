"""Ports of a Process: ``InPort``, ``OutPort``, ``RefPort``, ``VarPort``.

Connections are recorded as links between ports (real or virtual). A link
may carry a transform (reshape, transpose, concat placement or slicing) that
data undergoes when it crosses it. At build time the runtime follows the
links from every leaf OutPort (RefPort) to the leaf InPorts (VarPorts) and
composes the transforms, so hierarchical ports and virtual ports cost nothing
while the network runs.

Allowed connections (source -> destination), as in Lava:
    OutPort -> InPort             the usual spike/activation channel
    OutPort -> OutPort            a sub-process's OutPort into its parent's
    InPort  -> InPort             a parent's InPort into a sub-process's
    RefPort -> VarPort / RefPort  (child RefPort into its parent's RefPort)
    VarPort -> VarPort            a parent's VarPort into a sub-process's
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .exceptions import PortConnectionError, PortKindError
from .variable import ProcessMember, Var, check_shape


def _as_list(ports) -> list:
    if isinstance(ports, (list, tuple)):
        return list(ports)
    return [ports]


class AbstractPort(ProcessMember):
    """Something with a shape that can be connected."""

    def __init__(self, shape):
        self.shape: tuple = check_shape(type(self).__name__, shape)
        self.name: str = "Unnamed port"
        self.process = None
        # (port, transform) pairs; transform maps data crossing the link.
        self._links_out: list[tuple["AbstractPort", ty.Optional[ty.Callable]]] = []
        self._links_in: list[tuple["AbstractPort", ty.Optional[ty.Callable]]] = []
        #: Lava's per-connection settings (``ConnectionConfig``, for Loihi's
        #: spike I/O), by the port at the other end: kept, not used
        self.connection_configs: dict = {}

    def describe(self) -> str:
        return f"{type(self).__name__} '{self.full_name()}' shape {self.shape}"

    @property
    def in_connections(self) -> list:
        return [p for p, _ in self._links_in]

    @property
    def out_connections(self) -> list:
        return [p for p, _ in self._links_out]

    def get_src_ports(self, _include_self: bool = False) -> list:
        """The ports at the far ends of this port's incoming links: the
        sources that reach it directly or through other (hierarchical or
        virtual) ports; [] when nothing is connected to it."""
        if not self._links_in:
            return [self] if _include_self else []
        return [q for p, _ in self._links_in for q in p.get_src_ports(True)]

    def get_dst_ports(self, _include_self: bool = False) -> list:
        """The ports at the far ends of this port's outgoing links: the
        destinations it reaches directly or through other ports."""
        if not self._links_out:
            return [self] if _include_self else []
        return [q for p, _ in self._links_out for q in p.get_dst_ports(True)]

    # -------------------------------------------------------- linking
    def _link_to(self, dst: "AbstractPort", fn=None):
        self._links_out.append((dst, fn))
        dst._links_in.append((self, fn))

    def _check_connection(self, src: "AbstractPort", dst: "AbstractPort"):
        """Raise ``PortConnectionError`` if ``src -> dst`` may not be linked;
        changes nothing."""
        src_kind, dst_kind = _kind(src), _kind(dst)
        if (src_kind, dst_kind) not in _ALLOWED:
            raise PortKindError(
                f"cannot connect {src.describe()} to {dst.describe()}: a "
                f"{src_kind.__name__} cannot feed a {dst_kind.__name__}")
        if src.shape != dst.shape:
            raise PortConnectionError(
                f"cannot connect {src.describe()} to {dst.describe()}: shapes "
                f"{src.shape} and {dst.shape} differ")
        if src is dst:
            raise PortConnectionError(f"cannot connect {src.describe()} to itself")
        for p in (src, dst):
            for q in (p.parents if isinstance(p, AbstractVirtualPort) else [p]):
                if q.process is not None and getattr(q.process, "_runtime", None) is not None:
                    raise PortConnectionError(
                        f"cannot connect {src.describe()} to {dst.describe()}: process "
                        f"'{q.process.name}' was already compiled into a runtime")
        if isinstance(src, AbstractVirtualPort):
            src._check_side("src")
        if isinstance(dst, AbstractVirtualPort):
            dst._check_side("dst")
        if any(p is dst for p, _ in src._links_out):
            raise PortConnectionError(
                f"{src.describe()} is already connected to {dst.describe()}")

    def _connect_all(self, pairs: list, configs=None):
        """Check every ``(src, dst)`` pair, then link them all: a bad pair
        raises before any link is made. ``configs``: None, one config for
        every pair or a list of one per pair (recorded on both ends)."""
        configs = [c for c in _as_list(configs) if c is not None]
        if len(configs) == 1:
            configs = configs * len(pairs)
        if configs and len(configs) != len(pairs):
            raise ValueError(f"{self.describe()}: {len(configs)} connection configs "
                             f"for {len(pairs)} connections")
        for i, (src, dst) in enumerate(pairs):
            self._check_connection(src, dst)
            for s2, d2 in pairs[:i]:
                if s2 is src and d2 is dst:
                    raise PortConnectionError(
                        f"{src.describe()} is connected to {dst.describe()} twice")
        for src, dst in pairs:
            if isinstance(src, AbstractVirtualPort):
                src._bind_as_source()
            if isinstance(dst, AbstractVirtualPort):
                dst._bind_as_destination()
            src._link_to(dst)
        for (src, dst), cfg in zip(pairs, configs):
            src.connection_configs[dst] = cfg
            dst.connection_configs[src] = cfg

    def _connect(self, src: "AbstractPort", dst: "AbstractPort"):
        """Check kinds and shapes, then link ``src -> dst``."""
        self._connect_all([(src, dst)])

    # -------------------------------------------------------- public API
    def connect(self, ports, connection_configs=None):
        """Connect this port to ``ports`` (a port or a list of ports); all or
        nothing: if one connection is invalid, none is made."""
        self._connect_all([(self, p) for p in _as_list(ports)], connection_configs)

    def connect_from(self, ports, connection_configs=None):
        """Connect ``ports`` (a port or a list of ports) to this port; all or
        nothing."""
        self._connect_all([(p, self) for p in _as_list(ports)], connection_configs)

    # -------------------------------------------------------- virtual ports
    def reshape(self, new_shape) -> "ReshapePort":
        """A view of this port with another shape (same number of elements)."""
        return ReshapePort(self, new_shape)

    def flatten(self) -> "ReshapePort":
        """A 1-D view of this port."""
        return ReshapePort(self, (self.size,))

    def transpose(self, axes=None) -> "TransposePort":
        """A view of this port with its axes permuted (reversed by default)."""
        return TransposePort(self, axes)

    def concat_with(self, ports, axis: int = 0) -> "ConcatPort":
        """A view joining this port and ``ports`` along ``axis``."""
        return ConcatPort([self] + _as_list(ports), axis)

    def __repr__(self):
        return f"<{self.describe()}>"


class AbstractIOPort(AbstractPort):
    """Ports that carry events (In/Out)."""


class AbstractRVPort(AbstractPort):
    """Ports that reach Vars (Ref/Var)."""


class OutPort(AbstractIOPort):
    """Sends data (spikes, activations) to InPorts."""


class InPort(AbstractIOPort):
    """Receives data from OutPorts; several senders are summed.

    ``reduce_op``: only summation (Lava's default ``ReduceSum``) exists.
    """

    def __init__(self, shape, reduce_op=None):
        super().__init__(shape)
        if reduce_op is not None and getattr(reduce_op, "__name__", "") != "ReduceSum":
            raise ValueError(f"InPort: only ReduceSum is supported, got {reduce_op!r}")
        self.reduce_op = reduce_op


class AbstractReduceOp:
    """How an InPort combines what several OutPorts send it (Lava's
    ``AbstractReduceOp``); ``ReduceSum`` is the one there is."""


class ReduceSum(AbstractReduceOp):
    """Lava's reduce operation for InPorts with several senders: the sum."""


class RefPort(AbstractRVPort):
    """Reads and writes a Var of another process."""

    def get_dst_vars(self) -> list:
        """The Vars this RefPort reaches (through VarPorts and other ports)."""
        return [p.var for p in self.get_dst_ports() if isinstance(p, VarPort)]

    def connect_var(self, variables, connection_configs=None):
        """Connect to Vars directly: each gets an implicit VarPort
        (``connection_configs``, Lava's Loihi settings: accepted, unused)."""
        variables = _as_list(variables)
        configs = _as_list(connection_configs)
        for i, var in enumerate(variables):
            if not isinstance(var, Var):
                raise PortConnectionError(
                    f"{self.describe()}: connect_var expects Vars, got {var!r}")
            if not var.shareable:
                raise PortConnectionError(
                    f"{self.describe()}: Var {var.full_name()} is not shareable")
            if var.shape != self.shape:
                raise PortConnectionError(
                    f"cannot connect {self.describe()} to Var {var.full_name()} "
                    f"shape {var.shape}: shapes {self.shape} and {var.shape} differ")
            if var.process is not None:
                vp = var.process._implicit_var_port(var)
            else:       # the Var's process takes it when it takes the Var
                vp = ImplicitVarPort(var)
                vp.name = f"_{var.name}_implicit_port"
            self._connect_all([(self, vp)], configs[i] if len(configs) > 1 else configs[0])


class VarPort(AbstractRVPort):
    """Exposes a Var to RefPorts."""

    def __init__(self, var: Var):
        if not isinstance(var, Var):
            raise TypeError(f"VarPort expects a Var, got {var!r}")
        super().__init__(var.shape)
        if not var.shareable:
            raise PortConnectionError(f"VarPort: Var {var.full_name()} is not shareable")
        self.var = var


class ImplicitVarPort(VarPort):
    """A VarPort created by ``RefPort.connect_var``."""


_ALLOWED = {
    (OutPort, InPort), (OutPort, OutPort), (InPort, InPort),
    (RefPort, VarPort), (RefPort, RefPort), (VarPort, VarPort),
}


def _kind(port) -> type:
    if isinstance(port, AbstractVirtualPort):
        return port.kind
    for k in (OutPort, InPort, RefPort, VarPort):
        if isinstance(port, k):
            return k
    raise PortConnectionError(f"{port!r} is not a port")


# ------------------------------------------------------------ virtual ports
class AbstractVirtualPort(AbstractPort):
    """A view of one or more ports (reshape, transpose, concat).

    It becomes a source-side view when it is the source of a connection
    (data leaving its parents is transformed into its shape) or a
    destination-side view when it is the destination (data arriving in its
    shape is transformed into its parents' shapes).
    """

    def __init__(self, parents: list, shape):
        super().__init__(shape)
        kinds = {_kind(p) for p in parents}
        if len(kinds) != 1:
            raise PortConnectionError(
                "a virtual port must join ports of one kind, got "
                + ", ".join(p.describe() for p in parents))
        self.kind = kinds.pop()
        self.parents = parents
        self._side: str | None = None
        self.name = "+".join(p.name for p in parents) + f".{type(self).__name__}"

    def full_name(self) -> str:
        return f"{type(self).__name__}({', '.join(p.full_name() for p in self.parents)})"

    def _forward(self, i: int):
        """Transform from parent i's shape into this port's shape."""
        raise NotImplementedError

    def _backward(self, i: int):
        """Transform from this port's shape into parent i's shape."""
        raise NotImplementedError

    def _check_side(self, side: str):
        """Raise if this view (or a virtual parent) is bound the other way."""
        if self._side is not None and self._side != side:
            used = "a destination" if self._side == "dst" else "a source"
            raise PortConnectionError(f"{self.describe()} is already used as {used}")
        for p in self.parents:
            if isinstance(p, AbstractVirtualPort):
                p._check_side(side)

    def _bind_as_source(self):
        if self._side == "src":
            return
        if self._side is not None:
            raise PortConnectionError(f"{self.describe()} is already used as a destination")
        self._side = "src"
        for i, p in enumerate(self.parents):
            if isinstance(p, AbstractVirtualPort):
                p._bind_as_source()
            p._link_to(self, self._forward(i))

    def _bind_as_destination(self):
        if self._side == "dst":
            return
        if self._side is not None:
            raise PortConnectionError(f"{self.describe()} is already used as a source")
        self._side = "dst"
        for i, p in enumerate(self.parents):
            if isinstance(p, AbstractVirtualPort):
                p._bind_as_destination()
            self._link_to(p, self._backward(i))


class ReshapePort(AbstractVirtualPort):
    """``port.reshape(shape)``."""

    def __init__(self, parent: AbstractPort, new_shape):
        new_shape = check_shape(f"reshape of {parent.describe()}", new_shape)
        if int(np.prod(new_shape, dtype=np.int64)) != parent.size:
            raise PortConnectionError(
                f"cannot reshape {parent.describe()} to {new_shape}: sizes differ")
        super().__init__([parent], new_shape)

    def _forward(self, i):
        shape = self.shape
        return lambda x: x.reshape(shape)

    def _backward(self, i):
        shape = self.parents[0].shape
        return lambda x: x.reshape(shape)


class TransposePort(AbstractVirtualPort):
    """``port.transpose(axes)``."""

    def __init__(self, parent: AbstractPort, axes=None):
        nd = len(parent.shape)
        axes = tuple(range(nd))[::-1] if axes is None else tuple(int(a) for a in axes)
        if sorted(axes) != list(range(nd)):
            raise PortConnectionError(
                f"cannot transpose {parent.describe()} with axes {axes}")
        self.axes = axes
        super().__init__([parent], tuple(parent.shape[a] for a in axes))

    def _forward(self, i):
        axes = self.axes
        return lambda x: x.transpose(axes)

    def _backward(self, i):
        inv = tuple(int(a) for a in np.argsort(self.axes))
        return lambda x: x.transpose(inv)


class ConcatPort(AbstractVirtualPort):
    """``port.concat_with(ports, axis)``."""

    def __init__(self, parents: list, axis: int = 0):
        shapes = [p.shape for p in parents]
        nd = len(shapes[0])
        if not -nd <= axis < nd:
            raise PortConnectionError(f"concat axis {axis} out of range for shape {shapes[0]}")
        axis = axis % nd
        for p in parents[1:]:
            if len(p.shape) != nd or any(
                    a != b for k, (a, b) in enumerate(zip(p.shape, shapes[0])) if k != axis):
                raise PortConnectionError(
                    f"cannot concatenate {parents[0].describe()} and {p.describe()} "
                    f"along axis {axis}")
        self.axis = axis
        offsets = np.cumsum([0] + [s[axis] for s in shapes])
        self._slices = [
            tuple(slice(int(offsets[i]), int(offsets[i + 1])) if k == axis else slice(None)
                  for k in range(nd))
            for i in range(len(parents))]
        shape = list(shapes[0])
        shape[axis] = int(offsets[-1])
        super().__init__(list(parents), tuple(shape))

    def _forward(self, i):
        shape, slc = self.shape, self._slices[i]

        def place(x):
            out = np.zeros(shape, dtype=x.dtype)
            out[slc] = x
            return out
        return place

    def _backward(self, i):
        slc = self._slices[i]
        return lambda x: x[slc]
