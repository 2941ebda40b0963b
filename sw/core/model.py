"""ProcessModels: how a Process behaves on a given backend.

* ``PyLoihiProcessModel``: Loihi's phases (``run_spk``, ``run_pre_mgmt``,
  ``run_lrn``, ``run_post_mgmt``) with their guards and ``time_step``.
* ``PyAsyncProcessModel``: ``run_async`` running one loop iteration per
  time step (``check_for_stop_cmd()`` ends an iteration).
* ``AbstractSubProcessModel``: a hierarchical Process built from other
  Processes in ``__init__(self, proc)``.
"""
from __future__ import annotations

import logging
import typing as ty

from .process import ProcessParameters


def _request_flag(kind: str, doc: str) -> property:
    """A model attribute that, set to True, asks the runtime to ``kind``
    ("pause" or "stop") after the step in progress."""
    key = f"_{kind}_requested"

    def get(self) -> bool:
        return self.__dict__.get(key, False)

    def set_(self, value: bool) -> None:
        self.__dict__[key] = bool(value)
        if value and self._runtime_request is not None:
            self._runtime_request(kind)
    return property(get, set_, doc=doc)


class AbstractProcessModel:
    """Base of every ProcessModel. Set by the decorators:
    ``implements_process``, ``implements_protocol``, ``required_resources``,
    ``tags``."""

    implements_process: ty.Optional[type] = None
    implements_protocol: ty.Optional[type] = None
    required_resources: list = []
    tags: list = []

    def __init__(self, proc_params: ty.Optional[dict] = None,
                 loglevel: int = logging.WARNING):
        if proc_params is None:
            proc_params = ProcessParameters({})
        self.proc_params = proc_params
        self.model_id: ty.Optional[int] = None
        self.log = logging.getLogger(type(self).__name__)
        self.log.setLevel(loglevel)

    def __repr__(self):
        pp = self.proc_params
        return f"<{type(self).__name__} of {pp.get('name', '?') if isinstance(pp, dict) else '?'}>"


class AbstractPyProcessModel(AbstractProcessModel):
    """A model executed by the CPU runtime."""

    def __init__(self, proc_params: ty.Optional[dict] = None,
                 loglevel: int = logging.WARNING):
        super().__init__(proc_params, loglevel)
        self.py_ports: list = []
        self.var_ports: list = []
        self.var_id_to_var_map: dict = {}

    def on_var_update(self):
        """Called after a Var of this model was set from the host."""

    #: set by the runtime: ``request("pause" | "stop")`` ends the run after
    #: the step in progress
    _runtime_request: ty.Optional[ty.Callable[[str], None]] = None

    _req_pause = _request_flag(
        "pause", """Lava's request from inside a model: ``self._req_pause = True``
        pauses the run once the step in progress is complete (every phase of
        every process); ``run`` resumes it.""")
    _req_stop = _request_flag(
        "stop", """``self._req_stop = True`` stops the runtime once the step in
        progress is complete (as ``stop()``: no more runs).""")


class PyLoihiProcessModel(AbstractPyProcessModel):
    """A model following the LoihiProtocol.

    Each time step the runtime sets ``time_step`` (1 on the first step of the
    first run) and runs the phases over all processes, in this order:

    1. ``run_spk`` (every process);
    2. ``run_pre_mgmt`` of every process whose ``pre_guard()`` is true, when
       some process has both ``lrn_guard()`` and ``pre_guard()`` true (Lava's
       rule);
    3. ``run_lrn`` of every process whose ``lrn_guard()`` is true;
    4. ``run_post_mgmt`` of every process whose ``post_guard()`` is true.

    Guards are evaluated after the spk phase of the step.
    """

    def __init__(self, proc_params: ty.Optional[dict] = None,
                 loglevel: int = logging.WARNING):
        super().__init__(proc_params, loglevel)
        self.time_step: int = 0

    def run_spk(self):
        """The spiking phase: receive, update, send."""

    def run_pre_mgmt(self):
        """Management phase before learning."""

    def run_lrn(self):
        """Learning phase."""

    def run_post_mgmt(self):
        """Management phase after learning (e.g. reading Vars via RefPorts)."""

    def pre_guard(self) -> bool:
        return False

    def lrn_guard(self) -> bool:
        return False

    def post_guard(self) -> bool:
        return False


class PyAsyncProcessModel(AbstractPyProcessModel):
    """A model with its own loop, ``run_async``.

    The runtime starts ``run_async`` at the first step of each run and lets
    it go on until it calls ``check_for_stop_cmd()`` (or
    ``check_for_pause_cmd()``): that ends the iteration of this time step.
    The call returns ``False`` when the next step begins and ``True`` once
    the run is over (steps done, pause or stop), and ``run_async`` should
    then return. ``num_steps`` holds the length of the current run (0 for
    ``RunContinuous``) and ``time_step`` the current step.
    """

    def __init__(self, proc_params: ty.Optional[dict] = None,
                 loglevel: int = logging.WARNING):
        super().__init__(proc_params, loglevel)
        self.num_steps: int = 0
        self.time_step: int = 0
        self._step_driver = None  # set by the runtime: bind_step_driver

    def bind_step_driver(self, driver) -> None:
        """Runtime hook: `driver.yield_step()` ends this model's iteration of
        a step (returning True once the run is over); `check_for_stop_cmd`
        calls it. Without a driver the model runs one iteration per call."""
        self._step_driver = driver

    def run_async(self):
        raise NotImplementedError(f"{type(self).__name__}: run_async has not been defined")

    def check_for_stop_cmd(self) -> bool:
        """End this step's iteration; True once the run is over."""
        if self._step_driver is None:
            return True
        return self._step_driver.yield_step()

    def check_for_pause_cmd(self) -> bool:
        """Same as ``check_for_stop_cmd`` (pausing also ends the run)."""
        return self.check_for_stop_cmd()


class AbstractSubProcessModel(AbstractProcessModel):
    """A hierarchical model: ``__init__(self, proc)`` builds sub-processes,
    connects the parent's ports to theirs and aliases the parent's Vars::

        def __init__(self, proc):
            self.dense = Dense(weights=proc.proc_params['w'])
            self.lif = LIF(shape=proc.proc_params['shape'])
            proc.in_ports.s_in.connect(self.dense.in_ports.s_in)
            self.dense.out_ports.a_out.connect(self.lif.in_ports.a_in)
            self.lif.out_ports.s_out.connect(proc.out_ports.s_out)
            proc.vars.v.alias(self.lif.vars.v)
    """

    def __init__(self, proc):
        if type(self) is AbstractSubProcessModel:
            raise TypeError("AbstractSubProcessModel is abstract: subclass it and build the "
                            "sub-processes in the subclass's __init__(self, proc)")

    def find_sub_procs(self) -> dict:
        """The sub-processes this model holds as attributes (also in lists)."""
        from .process import AbstractProcess
        found: dict = {}
        for name, val in vars(self).items():
            if isinstance(val, AbstractProcess):
                found[name] = val
            elif isinstance(val, (list, tuple)):
                for i, v in enumerate(val):
                    if isinstance(v, AbstractProcess):
                        found[f"{name}_{i}"] = v
            elif isinstance(val, dict):
                for k, v in val.items():
                    if isinstance(v, AbstractProcess):
                        found[f"{name}_{k}"] = v
        return found


class AbstractNcProcessModel(AbstractProcessModel):
    """A model that runs a Process on kilauea's neurocores (Lava's name for
    neuromorphic-core models). It holds no Python state: it declares how the
    compiler maps the Process onto chip resources (a neuron program and its
    parameter values, or synapses). Decorate it like any model::

        @implements(proc=LIF, protocol=LoihiProtocol)
        @requires(KilaueaNeuroCore)
        @tag("fixed_pt")
        class NcLifModel(AbstractNcProcessModel): ...

    The chip run configuration (``ChipCfg``) selects these; ``CpuSimCfg``
    never does. The compiler (``kilauea.compiler``) defines what a subclass
    provides.
    """
