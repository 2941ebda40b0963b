"""``AbstractProcess``: the unit of a network, as in Lava.

A Process declares Vars and ports as attributes in its constructor::

    class LIF(AbstractProcess):
        def __init__(self, *, shape, vth=10, **kwargs):
            super().__init__(shape=shape, vth=vth, **kwargs)
            self.a_in = InPort(shape=shape)
            self.v = Var(shape=shape, init=0)

Assigning a Var or port to an attribute registers it under that name (also
after construction, e.g. a Monitor adding RefPorts when it probes).
"""
from __future__ import annotations

import dataclasses
import logging
import typing as ty

from .ports import (AbstractPort, AbstractVirtualPort, ImplicitVarPort, InPort,
                    OutPort, RefPort, VarPort)
from .registry import runtime_builder
from .variable import IdServer, Var


class ProcessServer(IdServer):
    """The ids of processes (Lava's ``ProcessServer``, one for all): every
    new process gets the next id (0, 1, ... in creation order) and is listed
    in ``processes`` (held weakly: the list does not keep a network alive);
    ``reset_server()`` restarts the ids at 0."""

    @property
    def processes(self) -> list:
        """The processes created since the last reset that still exist."""
        return self._members()


@dataclasses.dataclass
class LogConfig:
    """Logging options of a Process (Lava's ``LogConfig``).

    ``level`` is the level of the logger ``self.log`` of the Process's
    ProcessModel; ``level_console``, ``logs_to_file``, ``file``, ``format``
    and ``date_format`` are kept for Lava code that reads them (kilauea adds
    no log handler of its own).
    """

    file: str = ""
    level: int = logging.WARNING
    level_console: int = logging.ERROR
    logs_to_file: bool = False
    format: str = "%(asctime)s:%(levelname)s: %(name)s - %(message)s"
    date_format: str = "%m/%d/%Y %I:%M:%S%p"

    def __post_init__(self) -> None:
        if self.logs_to_file and not self.file:
            raise ValueError("LogConfig: logs_to_file=True needs a file name ('file')")


class ProcessParameters(dict):
    """The constructor's keyword arguments, handed to the ProcessModel.

    A dict, except that ``params[key] = value`` raises ``KeyError`` when
    ``key`` is already there (Lava's rule): ``overwrite(key, value)``
    replaces a value.
    """

    def __init__(self, initial_parameters: ty.Optional[dict] = None):
        super().__init__(initial_parameters or {})

    def __setitem__(self, key, value):
        if key in self:
            raise KeyError(f"process parameter '{key}' is already set; use "
                           f"proc_params.overwrite({key!r}, value) to replace it")
        super().__setitem__(key, value)

    def overwrite(self, key, value):
        """Set ``key`` to ``value`` whether or not it is already there."""
        super().__setitem__(key, value)

    @property
    def _parameters(self) -> dict:
        """Lava's name for the parameters (this dict itself)."""
        return self


class Collection:
    """An ordered, attribute-accessible collection of Vars, ports or processes."""

    def __init__(self, process, name: str):
        self._process = process
        self._name = name
        self.name = name            # (a member called 'name': use coll['name'])
        self._members: dict[str, ty.Any] = {}
        self._placed = 0   # leading members whose order is final

    def _place_new_members(self):
        """Sort the members added since the last call by name and fix their
        place (Lava fills its collections in ``dir()`` order after
        ``__init__``; members added later follow, in the same way)."""
        items = list(self._members.items())
        tail = sorted(items[self._placed:], key=lambda kv: kv[0])
        self._members = dict(items[:self._placed] + tail)
        self._placed = len(self._members)

    @property
    def members(self) -> list:
        return list(self._members.values())

    @property
    def member_names(self) -> list:
        return list(self._members.keys())

    def add_members(self, members: dict):
        self._members.update(members)

    def has(self, obj) -> bool:
        return any(m is obj for m in self._members.values())

    def is_empty(self) -> bool:
        return not self._members

    def __getattr__(self, name):
        members = self.__dict__.get("_members", {})
        if name in members:
            return members[name]
        raise AttributeError(
            f"{self.__dict__.get('_name', 'collection')} of process "
            f"'{getattr(self.__dict__.get('_process'), 'name', '?')}' has no member "
            f"'{name}' (members: {list(members)})")

    def __getitem__(self, name):
        return self._members[name]

    def __iter__(self):
        return iter(list(self._members.values()))

    def __len__(self):
        return len(self._members)

    def __contains__(self, obj):
        return obj in self._members or self.has(obj)

    def __repr__(self):
        return f"{self._name}({list(self._members)})"


class _PostInitCaller(type):
    """Calls ``_post_init()`` once the outermost ``__init__`` has returned
    (Lava's ``ProcessPostInitCaller``)."""

    def __call__(cls, *args, **kwargs):
        obj = super().__call__(*args, **kwargs)
        obj._post_init()
        return obj


class AbstractProcess(metaclass=_PostInitCaller):
    """Base class of every Process.

    Keyword arguments are kept in ``proc_params`` and handed to the
    ProcessModel; ``name`` names the process (default ``<Class>_<id>``),
    ``log_config`` (a ``LogConfig``) sets the level of the model's logger.
    ``run``, ``pause``, ``wait``, ``stop`` control the runtime shared by all
    processes connected to this one; ``with proc: ...`` stops it on exit.
    ``is_compiled`` and ``model_class`` tell whether the network was
    compiled and which ProcessModel class was chosen for this process.
    """

    def __init__(self, **kwargs):
        name = kwargs.get("name")
        log_config = kwargs.get("log_config")
        if log_config is not None and not isinstance(log_config, LogConfig):
            raise TypeError(f"{type(self).__name__}: log_config must be a LogConfig, "
                            f"got {log_config!r}")
        object.__setattr__(self, "id", ProcessServer().register(self))
        object.__setattr__(self, "proc_params", ProcessParameters(dict(kwargs)))
        self._ensure_collections()
        self.name = name if name else f"{type(self).__name__}_{self.id}"
        self._log_config = log_config if log_config is not None else LogConfig()
        self.parent_proc: AbstractProcess | None = None
        self._runtime = None
        self._model_class = None
        self._is_compiled = False

    # ------------------------------------------------------------ registry
    def _ensure_collections(self):
        d = self.__dict__
        if "vars" not in d:
            for attr, label in (("vars", "Vars"), ("in_ports", "InPorts"),
                                ("out_ports", "OutPorts"), ("ref_ports", "RefPorts"),
                                ("var_ports", "VarPorts"), ("procs", "SubProcesses")):
                object.__setattr__(self, attr, Collection(self, label))

    def __setattr__(self, name, value):
        if isinstance(value, (Var, AbstractPort)) and not isinstance(value, AbstractVirtualPort):
            self._ensure_collections()
            self._register(name, value)
        object.__setattr__(self, name, value)

    def _register(self, name: str, member):
        if member.process is not None and member.process is not self:
            raise ValueError(
                f"{type(member).__name__} '{member.name}' already belongs to process "
                f"'{member.process.name}'; cannot add it to '{self.__dict__.get('name', '?')}'")
        member.name = name
        member.process = self
        if isinstance(member, Var):
            coll = self.vars
        elif isinstance(member, InPort):
            coll = self.in_ports
        elif isinstance(member, OutPort):
            coll = self.out_ports
        elif isinstance(member, RefPort):
            coll = self.ref_ports
        elif isinstance(member, VarPort):
            coll = self.var_ports
        else:  # pragma: no cover
            raise TypeError(member)
        if getattr(self, "_runtime", None) is not None and name not in coll._members:
            raise RuntimeError(
                f"process '{self.name}': cannot add {type(member).__name__} '{name}' "
                f"after the network was compiled")
        coll.add_members({name: member})

    def _post_init(self):
        """Called after ``__init__`` (and again by code that adds members
        later, as Lava's Monitor pattern does): the members added since the
        last call take their places in alphabetical order, as in Lava."""
        for coll in (self.vars, self.in_ports, self.out_ports, self.ref_ports,
                     self.var_ports):
            coll._place_new_members()

    def _implicit_var_port(self, var: Var) -> VarPort:
        for vp in self.var_ports:
            if isinstance(vp, ImplicitVarPort) and vp.var is var:
                return vp
        base = name = f"_{var.name}_implicit_port"
        k = 0
        while hasattr(self, name):      # as Lava: a free name, with _1, _2, ...
            k += 1
            name = f"{base}_{k}"
        vp = ImplicitVarPort(var)
        vp.name = name
        vp.process = self
        self.var_ports.add_members({name: vp})
        object.__setattr__(self, name, vp)
        return vp

    def register_sub_procs(self, procs: dict):
        """Record sub-processes (done by the runtime for sub-process models)."""
        for name, p in procs.items():
            p.parent_proc = self
        self.procs.add_members(procs)

    def validate_var_aliases(self) -> None:
        """Raise ``VarAliasError`` if a Var of this process aliases a Var
        that belongs to no sub-process of it (see ``Var.validate_alias``)."""
        for var in self.vars:
            var.validate_alias()

    def is_sub_proc_of(self, proc: "AbstractProcess") -> bool:
        """True when this process is a sub-process of ``proc`` (at any depth)."""
        parent = self.parent_proc
        while parent is not None:
            if parent is proc:
                return True
            parent = parent.parent_proc
        return False

    # ------------------------------------------------------------ runtime
    @property
    def runtime(self):
        return self._runtime

    @property
    def is_compiled(self) -> bool:
        """True once the network of this process was compiled (built)."""
        return bool(self.__dict__.get("_is_compiled", False))

    @property
    def model_class(self):
        """The ProcessModel class chosen for this process at compile time
        (None before)."""
        return self.__dict__.get("_model_class")

    def create_runtime(self, run_cfg=None, executable=None, compile_config=None):
        """Build (compile) the network this process belongs to, without running.

        ``executable`` (Lava's argument): an already compiled network
        (``Compiler().compile(...)``'s result or a runtime); it must be this
        process's own, since kilauea builds a network once.
        """
        if executable is not None:
            rt = getattr(executable, "runtime", executable)
            if rt is None or rt is not self._runtime:
                raise ValueError(f"process '{self.name}': create_runtime(executable=...) "
                                 "got an executable compiled for another network")
            return rt
        if self._runtime is None:
            runtime_builder()(self, run_cfg)
        return self._runtime

    def compile(self, run_cfg=None, compile_config=None):
        """Lava compatibility: same as ``create_runtime``."""
        return self.create_runtime(run_cfg, compile_config=compile_config)

    def run(self, condition=None, run_cfg=None, compile_config=None):
        """Run the network this process belongs to under ``condition``.

        The first call builds the runtime with ``run_cfg`` (default
        ``CpuSimCfg()``); later calls continue from where the last run
        stopped (``run_cfg`` is then ignored).
        """
        from .run_conditions import AbstractRunCondition
        if condition is None:
            raise ValueError(f"process '{self.name}': run() needs a run condition "
                             "(RunSteps(...) or RunContinuous())")
        if not isinstance(condition, AbstractRunCondition):
            raise TypeError(f"process '{self.name}': run condition must be RunSteps or "
                            f"RunContinuous, got {condition!r}")
        rt = self.create_runtime(run_cfg)
        rt.run(condition)

    def pause(self):
        """Pause a background run after the step in progress."""
        if self._runtime is not None:
            self._runtime.pause()

    def wait(self):
        """Wait until a background (non-blocking) run has finished."""
        if self._runtime is not None:
            self._runtime.wait()

    def stop(self):
        """Stop the runtime for good (its Var values are gone)."""
        if self._runtime is not None:
            self._runtime.stop()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.stop()
        return False

    def __repr__(self):
        return f"<{type(self).__name__} '{self.name}'>"
