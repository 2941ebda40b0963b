"""Monitor: records a Var or an OutPort of another process, step by step.

``probe(target, num_steps)`` creates, on the Monitor, a RefPort connected to
the target Var (read in the post-management phase, i.e. the value after the
step's update) or an InPort connected from the target OutPort (what it sent
in the step), plus a Var of shape ``(num_steps, *target.shape)`` holding the
recording: row ``t - 1`` is step ``t``. Steps after ``num_steps`` (counted
from the first run) are not recorded. ``get_data()`` returns
``{process_name: {var_or_port_name: array[num_steps, ...]}}``.
"""
from __future__ import annotations

import typing as ty

from ...core.exceptions import RuntimeStateError
from .._api import AbstractProcess, LogConfig, Var, InPort, OutPort, RefPort


class Monitor(AbstractProcess):
    """Probe Vars and OutPorts of other processes.

    Attributes
    ----------
    data : dict
        Filled by ``get_data()``: ``data[proc_name][target_name]`` is the
        recording of one probe.
    target_names : dict
        Name of each recording Var -> ``[process name, target name]``.
    """

    def __init__(self, *, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        super().__init__(name=name, log_config=log_config, **kwargs)
        self.data: dict = {}
        self.target_names: dict = {}
        self.proc_params["RefPorts"] = []
        self.proc_params["VarsData1"] = []
        self.proc_params["InPorts"] = []
        self.proc_params["VarsData2"] = []
        self.proc_params["n_ref_ports"] = 0
        self.proc_params["n_in_ports"] = 0

    def probe(self, target: ty.Union[Var, OutPort], num_steps: int) -> None:
        """Record ``target`` (a Var or an OutPort of some process) for the
        first ``num_steps`` steps."""
        if isinstance(num_steps, bool) or int(num_steps) != num_steps \
                or num_steps < 1:
            raise ValueError("Monitor.probe: 'num_steps' must be a positive "
                             f"integer, got {num_steps!r}")
        num_steps = int(num_steps)
        if not isinstance(target, (Var, OutPort)):
            raise TypeError("Monitor.probe: the target must be a Var or an "
                            f"OutPort, got {target!r}")
        proc_name, target_name = str(target.process.name), str(target.name)
        if target_name in self.data.get(proc_name, {}):
            raise ValueError(f"Monitor {self.name} already probes {proc_name}.{target_name} "
                             "(one probe per target and Monitor: its recording would be "
                             "overwritten; use a second Monitor to record it twice)")
        shape = tuple(target.shape)
        params = self.proc_params
        # a Var is read through a RefPort, an OutPort received on an InPort
        count, port_prefix, var_prefix, port_cls, connect, ports, datas = (
            ("n_ref_ports", "ref_port", "var_read", RefPort, "connect_var",
             "RefPorts", "VarsData1") if isinstance(target, Var) else
            ("n_in_ports", "in_port", "out_read", InPort, "connect_from",
             "InPorts", "VarsData2"))
        k = params[count]
        port_name, var_name = f"{port_prefix}_{k}", f"{var_prefix}_{k}"
        port = port_cls(shape=shape)
        setattr(self, port_name, port)
        setattr(self, var_name, Var(shape=(num_steps,) + shape, init=0.0))
        getattr(port, connect)(target)
        params[ports].append(port_name)
        params[datas].append(var_name)
        params.overwrite(count, k + 1)
        self.target_names[var_name] = [proc_name, target_name]
        self.data.setdefault(proc_name, {})[target_name] = 0

    def get_data(self) -> dict:
        """The recordings: ``{proc_name: {target_name: array[T, ...]}}``.

        RuntimeStateError if the Monitor has probes but never ran (it is not
        connected to the process that was run: nothing was recorded)."""
        if self.target_names and self.runtime is None:
            targets = ", ".join(f"{p}.{t}" for p, t in self.target_names.values())
            raise RuntimeStateError(
                f"Monitor {self.name} was not part of any run, so it recorded nothing "
                f"(it probes {targets}; run a process connected to it)")
        for var_name, (proc_name, target_name) in self.target_names.items():
            self.data[proc_name][target_name] = getattr(self, var_name).get()
        return self.data

    def plot(self, ax, target: ty.Union[Var, OutPort], *args, threshold="auto",
             float_equivalent: bool = False, raster: ty.Optional[bool] = None,
             **kwargs) -> None:
        """Draw the recording of ``target`` into the matplotlib Axes ``ax``.

        A Var: one line per neuron against the time step, a legend naming
        the neurons, and for a LIF-family ``v`` its threshold as a dashed
        line (``threshold``: "auto", a number, or None). An OutPort: a spike
        raster, one row per neuron. The title names the process and where
        it ran ("CPU fixed_pt", "chip (compiled, 2x2)"); the y label states
        the units. ``float_equivalent=True`` shows fixed-point ``u``/``v``
        divided by 2**6 (vth's scale). ``raster``: None draws an OutPort
        as a raster unless a format string is given (then lines, as Lava
        does); True / False force it. Extra arguments go to ``ax.plot``
        (``ax.eventplot`` for rasters). See kilauea.proc.monitor.plot."""
        from .plot import plot_recording
        data = self.get_data()
        try:
            values = data[target.process.name][target.name]
        except KeyError:
            raise ValueError(f"Monitor {self.name} does not probe "
                             f"{target.process.name}.{target.name}") from None
        plot_recording(ax, values, target, *args, threshold=threshold,
                       float_equivalent=float_equivalent, raster=raster, **kwargs)
