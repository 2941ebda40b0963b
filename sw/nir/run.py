"""Running an imported NIR network on recorded input and reading its output
spikes on the source framework's time axis."""
from __future__ import annotations

import numpy as np

from ..core.run_conditions import RunSteps
from ..proc.io.source import RingBuffer
from ..proc.monitor.process import Monitor
from .importer import NirNetwork

__all__ = ["run_nir"]


def run_nir(net: NirNetwork, inputs: dict[str, np.ndarray], run_cfg) -> dict[str, np.ndarray]:
    """Run ``net`` on ``inputs`` (Input node name -> binary spikes of shape
    ``(T, *input_shape)``, time first as the frameworks record them) with
    ``run_cfg`` (``CpuSimCfg(select_tag=...)`` or ``ChipCfg(...)``) and
    return Output node name -> spikes of shape ``(T, n)``: kilauea's spikes
    shifted back by each output's latency (``net.latency``), so that row t
    is comparable with the framework's step t. Runs ``T + max latency``
    steps, with zero input after the data. Stops the network."""
    if set(inputs) != set(net.inputs):
        raise ValueError(f"run_nir: inputs for {sorted(inputs)}, the network's are "
                         f"{sorted(net.inputs)}")
    n_steps = {len(x) for x in inputs.values()}
    if len(n_steps) != 1:
        raise ValueError(f"run_nir: inputs of different lengths {sorted(n_steps)}")
    t_in = n_steps.pop()
    lat = {o: net.latency[p] for o, p in net.outputs.items()}
    total = t_in + max(lat.values(), default=0)
    for name, x in inputs.items():
        x = np.asarray(x)
        if not np.all((x == 0) | (x == 1)):
            raise ValueError(f"run_nir: input {name!r} must hold binary spikes (0 / 1)")
        data = np.zeros((int(np.prod(x.shape[1:])), total), dtype=np.int32)
        data[:, :t_in] = x.reshape(t_in, -1).T
        src = RingBuffer(data=data, name=f"nir_input_{name}")
        net.connect_input(name, src.s_out)
    if net.bias_input:
        ones = RingBuffer(data=np.ones((1, total), dtype=np.int32), name="nir_bias_ones")
        net.connect_bias(ones.s_out)
    mon = Monitor()
    for o in net.outputs:
        mon.probe(net.output_process(o).s_out, total)
    net.root.run(condition=RunSteps(num_steps=total), run_cfg=run_cfg)
    try:
        data = mon.get_data()
        out = {}
        for o, p in net.outputs.items():
            s = np.asarray(data[p]["s_out"]).reshape(total, -1)
            out[o] = s[lat[o]:lat[o] + t_in]
        return out
    finally:
        net.root.stop()
