"""Shared helpers of the new-process tests: run a network with Monitors on
(process, var) pairs under a run config and return the recorded arrays."""
import numpy as np

from kilauea import ChipCfg, CpuSimCfg, Monitor, RunSteps
from kilauea.hw.params import ChipParams

#: a small 2x2 chip with 8 compartments per core: populations get split
#: small cores; 4 accumulator rows per compartment, so that multi-port
#: models (RF, RFZero with one group per port) fit as many per core as LIF
SMALL_2X2 = ChipParams(n_synapses=1024, n_axons=128, n_fanout=256, mesh_w=2, mesh_h=2,
                       n_compartments=8, n_acc_rows=32)


def chip_cfg(params=SMALL_2X2):
    return ChipCfg(engine="model", params=params)


def cpu_fixed():
    return CpuSimCfg(select_tag="fixed_pt")


def cpu_float():
    return CpuSimCfg(select_tag="floating_pt")


def record(root, probes, n_steps, cfg):
    """Run ``root`` for ``n_steps`` under ``cfg`` with a Monitor on every
    (proc, var_name) of ``probes``; return {(proc.name, var): array
    (n_steps, n)} and stop the run."""
    mons = []
    for proc, var in probes:
        m = Monitor()
        m.probe(getattr(proc, var), n_steps)
        mons.append(m)
    root.run(condition=RunSteps(num_steps=n_steps), run_cfg=cfg)
    try:
        return {(p.name, v): np.asarray(m.get_data()[p.name][v]).reshape(n_steps, -1)
                for (p, v), m in zip(probes, mons)}
    finally:
        root.stop()


def assert_same(got: dict, want: dict, what: str = "") -> None:
    for key in want:
        g, w = np.asarray(got[key]), np.asarray(want[key])
        if not np.array_equal(g, w):
            t, i = np.argwhere(g != w)[0]
            raise AssertionError(f"{what} {key} differs first at step {t + 1} element {i}: "
                                 f"{g[t, i]} vs {w[t, i]}")
