"""Building a network: models chosen, sub-processes expanded, ports resolved.

The result (``Network``) is what an executor needs: the leaf processes with
their model instances, the flat channels between leaf ports (hierarchical
and virtual ports resolved, their transforms composed), and where each Var's
value lives.
"""
from __future__ import annotations

import dataclasses
import logging
import typing as ty
from collections import deque

import numpy as np

from ..core.exceptions import ModelNotFoundError, PortConnectionError
from ..core.model import (AbstractNcProcessModel, AbstractPyProcessModel,
                          AbstractSubProcessModel)
from ..core.ports import (AbstractPort, AbstractVirtualPort, InPort, OutPort,
                          RefPort, VarPort)
from ..core.process import AbstractProcess, LogConfig
from ..core.pytypes import (LavaPyType, PyInPort, PyOutPort, PyRefPort,
                            PyVarPort)
from ..core.variable import Var, _is_sparse, check_fits
from .selection import find_models


@dataclasses.dataclass
class Leaf:
    """A process executed by a model of its own."""

    proc: AbstractProcess
    model_cls: type
    model: ty.Any = None
    index: int = 0


@dataclasses.dataclass
class ChannelSpec:
    """One flat connection from a leaf OutPort to a leaf InPort."""

    src: OutPort
    dst: InPort
    transform: ty.Optional[ty.Callable]


@dataclasses.dataclass
class Network:
    processes: list            # every process, hierarchical ones included
    leaves: list               # Leaf, in discovery order
    hierarchical: dict         # process -> sub-process model instance
    channels: list             # ChannelSpec
    var_home: dict             # Var (leaf) -> (model, attribute name)
    host_vars: dict            # Var of a hierarchical process without alias -> value


def _compose(f, g):
    if f is None:
        return g
    if g is None:
        return f
    return lambda x: g(f(x))


def _ports_of(proc) -> list:
    return (list(proc.in_ports) + list(proc.out_ports) + list(proc.ref_ports)
            + list(proc.var_ports))


def _neighbour_procs(proc) -> list:
    """Processes reached from ``proc``'s ports through links (any direction,
    through virtual ports)."""
    out = []
    seen = set()
    stack = list(_ports_of(proc))
    while stack:
        p = stack.pop()
        if id(p) in seen:
            continue
        seen.add(id(p))
        owner = p.process
        if owner is None and isinstance(p, VarPort):
            owner = p.var.process       # an implicit VarPort made before its Var's process
        if owner is not None and owner is not proc:
            out.append(owner)
        if isinstance(p, AbstractVirtualPort) or p.process is proc:
            for q, _ in p._links_out + p._links_in:
                stack.append(q)
            if isinstance(p, AbstractVirtualPort):
                stack.extend(p.parents)
    return out


def _default_type(member):
    if isinstance(member, InPort):
        return LavaPyType(PyInPort.VEC_DENSE, float)
    if isinstance(member, OutPort):
        return LavaPyType(PyOutPort.VEC_DENSE, float)
    if isinstance(member, RefPort):
        return LavaPyType(PyRefPort.VEC_DENSE, float)
    if isinstance(member, VarPort):
        return LavaPyType(PyVarPort.VEC_DENSE, float)
    init = member.init
    if _is_sparse(init):
        return LavaPyType(type(init), init.dtype)
    if isinstance(init, np.ndarray):
        return LavaPyType(np.ndarray, init.dtype)
    if isinstance(init, (bool, np.bool_)):
        return LavaPyType(np.ndarray, bool)
    return LavaPyType(np.ndarray, np.float64)  # safe for probes of int or float Vars


def _var_value(var: Var, lt: LavaPyType):
    """The value a model holds for ``var`` under its declared type."""
    cls = lt.cls
    if _is_sparse(var.init):
        val = var.init.copy()
        if lt.d_type is not None:
            val = val.astype(lt.d_type)
        return val
    if isinstance(cls, type) and issubclass(cls, np.ndarray):
        init = np.asarray(var.init_value())
        if lt.d_type is None:
            return np.array(init)
        dtype = np.dtype(lt.d_type)
        if init.dtype.kind in "iu":     # an int the model's dtype would wrap: error
            check_fits(var, init, dtype)
        return np.array(init, dtype=dtype)
    if cls in (int, float, bool, complex):
        arr = np.asarray(var.init)
        if arr.size != 1:
            raise ValueError(
                f"Var {var.full_name()}: the model declares it {cls.__name__} but its "
                f"init has {arr.size} elements")
        return cls(arr.reshape(-1)[0].item())
    if isinstance(cls, type):
        try:
            import scipy.sparse as sp
            if issubclass(cls, sp.spmatrix) or issubclass(cls, getattr(sp, "sparray", ())):
                return cls(np.asarray(var.init_value(), dtype=lt.d_type))
        except ImportError:  # pragma: no cover
            pass
    return var.init


def build_network(root: AbstractProcess, run_cfg) -> Network:
    """Select models for every process connected to ``root`` and resolve ports."""
    processes: list = []
    seen: set = set()
    leaves: list[Leaf] = []
    hierarchical: dict = {}
    queue = deque([root])
    while queue:
        proc = queue.popleft()
        if id(proc) in seen:
            continue
        seen.add(id(proc))
        if proc.runtime is not None:
            raise RuntimeError(
                f"process '{proc.name}' already belongs to another runtime; a process "
                f"can be part of one network only")
        processes.append(proc)
        models = find_models(type(proc))
        cls = run_cfg.select(proc, models)
        if cls is None:
            raise ModelNotFoundError(f"no ProcessModel selected for process '{proc.name}'")
        if isinstance(cls, type) and issubclass(cls, AbstractSubProcessModel):
            sub = proc.__dict__.get("_sub_model")
            if sub is None:
                # Built once per process: a second build (after a failed one)
                # must not create and connect the sub-processes again.
                sub = cls(proc)
                object.__setattr__(proc, "_sub_model", sub)
                children = sub.find_sub_procs()
                proc.register_sub_procs(children)
            elif type(sub) is not cls:
                raise ModelNotFoundError(
                    f"process '{proc.name}' was already expanded by {type(sub).__name__}; "
                    f"it cannot be expanded again by {cls.__name__}")
            else:
                children = sub.find_sub_procs()
            hierarchical[proc] = sub
            queue.extend(children.values())
        elif isinstance(cls, type) and issubclass(cls, (AbstractPyProcessModel,
                                                         AbstractNcProcessModel)):
            # chip (Nc) leaves get no Python model instance: the chip executor
            # takes them
            leaves.append(Leaf(proc, cls, index=len(leaves)))
        else:
            raise ModelNotFoundError(
                f"process '{proc.name}': model {cls!r} cannot run on the CPU runtime")
        queue.extend(_neighbour_procs(proc))
        if proc.parent_proc is not None:
            queue.append(proc.parent_proc)

    for leaf in leaves:
        _check_leaf_port_links(leaf.proc)

    # ------------------------------------------------ model instances
    var_home: dict = {}
    for leaf in leaves:
        if issubclass(leaf.model_cls, AbstractPyProcessModel):
            leaf.model = _instantiate(leaf, var_home)
    leaf_procs = {id(lf.proc) for lf in leaves}

    # ------------------------------------------------ host-held Vars
    host_vars: dict = {}
    for proc in hierarchical:
        for var in proc.vars:
            if var.aliased_var is None:
                host_vars[var] = var.init_value()

    # ------------------------------------------------ flat channels
    channels = []
    for leaf in leaves:
        for port in leaf.proc.out_ports:
            for dst, fn in _follow(port, leaf_procs, InPort):
                channels.append(ChannelSpec(port, dst, fn))
    return Network(processes, leaves, hierarchical, channels, var_home, host_vars)


def _check_leaf_port_links(proc) -> None:
    """InPort -> InPort and OutPort -> OutPort join a parent's port to a
    sub-process's; on a process that runs its own model such a link would
    lose data (the InPort is where delivery stops) or mix another sender
    into the process's output, so it is an error."""
    for port in proc.in_ports:
        for q, _ in port._links_out:
            raise PortConnectionError(
                f"{port.describe()} is connected to {q.describe()}, but process "
                f"'{proc.name}' runs a model of its own (it is no parent process): its "
                f"InPort cannot pass data on; connect the sender to both InPorts instead")
    for port in proc.out_ports:
        for q, _ in port._links_in:
            raise PortConnectionError(
                f"{q.describe()} is connected to {port.describe()}, but process "
                f"'{proc.name}' runs a model of its own (it is no parent process): its "
                f"OutPort sends that model's data only; connect the sender to the "
                f"receivers instead")


def _follow(port: AbstractPort, leaf_procs: set, terminal: type):
    """(leaf port of type ``terminal``, composed transform) reached from ``port``."""
    out = []
    stack = [(port, None, 0)]
    while stack:
        p, fn, depth = stack.pop()
        if depth > 1000:
            raise PortConnectionError(f"{port.describe()}: connection loop through ports")
        if p is not port and isinstance(p, terminal) and not isinstance(p, AbstractVirtualPort) \
                and p.process is not None and id(p.process) in leaf_procs:
            out.append((p, fn))
            continue
        for q, g in reversed(p._links_out):
            stack.append((q, _compose(fn, g), depth + 1))
    return out


def _apply_log_config(model, proc) -> None:
    """A process given a ``log_config`` gets a model logger of its own (a
    child of the model class's logger) at the config's level; otherwise the
    model keeps the logger its class set up."""
    log = getattr(model, "log", None)
    params = proc.proc_params
    cfg = params.get("log_config") if isinstance(params, dict) else None
    if isinstance(log, logging.Logger) and isinstance(cfg, LogConfig):
        model.log = logging.getLogger(f"{log.name}.{proc.name}")
        model.log.setLevel(cfg.level)


def _instantiate(leaf: Leaf, var_home: dict):
    proc, cls = leaf.proc, leaf.model_cls
    model = cls(proc.proc_params)
    model._process = proc
    _apply_log_config(model, proc)
    if getattr(model, "proc_params", None) is None:
        model.proc_params = proc.proc_params
    for var in proc.vars:
        lt = getattr(model, var.name, None)
        if not isinstance(lt, LavaPyType):
            lt = _default_type(var)
        setattr(model, var.name, _var_value(var, lt))
        var_home[var] = (model, var.name)
    py_ports = []
    for port in list(proc.in_ports) + list(proc.out_ports) + list(proc.ref_ports) \
            + list(proc.var_ports):
        lt = getattr(model, port.name, None)
        if not isinstance(lt, LavaPyType):
            lt = _default_type(port)
        kind = {InPort: PyInPort, OutPort: PyOutPort, RefPort: PyRefPort,
                VarPort: PyVarPort}
        base = next(v for k, v in kind.items() if isinstance(port, k))
        pcls = lt.cls if isinstance(lt.cls, type) and issubclass(lt.cls, base) else base.VEC_DENSE
        pyport = pcls(proc, model, port.name, port.shape,
                      lt.d_type if lt.d_type is not None else float)
        setattr(model, port.name, pyport)
        py_ports.append(pyport)
    if hasattr(model, "py_ports"):
        model.py_ports = py_ports
    return model


@dataclasses.dataclass(frozen=True)
class RefTarget:
    """Where a leaf RefPort reads and writes: the (leaf) ``var`` and, when
    the connection passes through virtual ports (reshape, flatten,
    transpose, concat), ``index``: an int64 array of the Var's shape whose
    entry is the flat index of the RefPort element that maps onto that Var
    element, or -1 where none does (None: the shapes match one to one)."""

    var: Var
    index: ty.Optional[np.ndarray] = None

    def read_fn(self, ref_shape: tuple) -> ty.Callable[[np.ndarray], np.ndarray]:
        """Var value (Var's shape) -> what the RefPort reads (its shape)."""
        covered = self.index >= 0
        src = self.index[covered]

        def fwd(value: np.ndarray) -> np.ndarray:
            out = np.zeros(int(np.prod(ref_shape, dtype=np.int64)), value.dtype)
            out[src] = value[covered]
            return out.reshape(ref_shape)
        return fwd

    def write_fn(self) -> ty.Callable[[np.ndarray, np.ndarray], np.ndarray]:
        """(RefPort data, Var value) -> the Var's new value: the elements the
        RefPort covers replaced, the others kept."""
        covered = self.index >= 0
        src = self.index[covered]

        def inv(data: np.ndarray, value: np.ndarray) -> np.ndarray:
            value[covered] = np.asarray(data).reshape(-1)[src]
            return value
        return inv


def ref_target(ref: RefPort) -> ty.Optional[RefTarget]:
    """The Var a RefPort reads and writes (following hierarchical and virtual
    ports), or None when it is connected to none."""
    stack = [(ref, None)]
    ends = []
    while stack:
        p, fn = stack.pop()
        if p._links_out:
            for q, g in p._links_out:
                stack.append((q, _compose(fn, g)))
        elif p is not ref:
            ends.append((p, fn))
    if not ends:
        return None
    if len(ends) > 1:
        raise PortConnectionError(f"{ref.describe()} is connected to several VarPorts")
    end, fn = ends[0]
    if not isinstance(end, VarPort):
        raise PortConnectionError(f"{ref.describe()} does not lead to a VarPort")
    var = end.var.resolve()
    if fn is None:
        return RefTarget(var)
    # the links' transforms move RefPort-shaped data towards the Var: send
    # each element's flat index + 1 through them (0 marks "not covered")
    marks = fn(np.arange(1, ref.size + 1, dtype=np.int64).reshape(ref.shape))
    return RefTarget(var, np.asarray(marks, np.int64).reshape(var.shape) - 1)


def ref_target_var(ref: RefPort):
    """The (leaf) Var a RefPort reads and writes, or None when unconnected;
    a connection through virtual ports is an error here (for runtimes that
    reach the Var as a whole, like the chip's)."""
    tgt = ref_target(ref)
    if tgt is None:
        return None
    if tgt.index is not None:
        raise PortConnectionError(
            f"{ref.describe()}: a RefPort connected through virtual ports (reshape, "
            f"transpose, concat) is supported for Vars of CPU processes only")
    return tgt.var


def resolve_ref_target(ref: RefPort, network: Network):
    """(model, attribute, RefTarget) that a leaf RefPort reads and writes, or
    None."""
    tgt = ref_target(ref)
    if tgt is None:
        return None
    var = tgt.var
    if var not in network.var_home:
        raise PortConnectionError(
            f"{ref.describe()}: Var {var.full_name()} is not held by a leaf process model")
    model, attr = network.var_home[var]
    return model, attr, tgt
