"""Walk through kilauea: Lava's "walk through Lava" tutorial, end to end.

Part 1 uses the process library: LIF(3) -> Dense -> LIF(2), Monitors
probing ``v``, ``u`` and the spikes, a run of 100 steps on the CPU models, and
plots of each layer's voltages (threshold dashed) above its spike raster.
Part 2 extends the library with a custom Process, ``SpikeGenerator``, and
its own ``PyLoihiProcessModel`` defined in this script, and drives the same
network with it through an input Dense.

Porting from Lava means changing imports only: part 1 imports from
kilauea's flat namespace, part 2 from the porting namespace ``kilauea.lava``
(Lava's module paths with ``lava.`` replaced by ``kilauea.lava.``).

    .venv/bin/python docs/walkthrough.py [--out DIR] [--tag floating_pt|fixed_pt]
                                         [--chip [--engine auto|model|pysim] [--mesh WxH]]

writes ``walkthrough_part1_v.png`` and ``walkthrough_part2_v.png`` into DIR
(default ./demo-output) and prints each layer's spike count.
``--tag fixed_pt`` runs the bit-exact fixed-point models, with integer
parameters chosen so that both layers spike.

``--chip`` runs the same network on the emulated kilauea chip
(``ChipCfg``: LIF and Dense on the chip, the SpikeGenerator and the Monitors
on the host; fixed point) with the engine ``--engine`` (default "auto", the
fastest cycle-accurate one), and prints the compiler's report and the clock
cycles of every step. The results are bit for bit those of ``--tag fixed_pt``.
"""
from __future__ import annotations

import argparse
import os

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

# Part 1: kilauea's own, flat namespace.
from kilauea import LIF, Dense, Monitor, RunSteps, CpuSimCfg, ChipCfg  # noqa: E402
from kilauea.core.run_configs import parse_mesh  # noqa: E402
from kilauea.proc.monitor.plot import backend_label  # noqa: E402

# Part 2: Lava's module paths, under kilauea.lava.
from kilauea.lava.magma.core.process.process import AbstractProcess  # noqa: E402
from kilauea.lava.magma.core.process.variable import Var  # noqa: E402
from kilauea.lava.magma.core.process.ports.ports import OutPort  # noqa: E402
from kilauea.lava.magma.core.model.py.model import PyLoihiProcessModel  # noqa: E402
from kilauea.lava.magma.core.model.py.type import LavaPyType  # noqa: E402
from kilauea.lava.magma.core.model.py.ports import PyOutPort  # noqa: E402
from kilauea.lava.magma.core.resources import CPU  # noqa: E402
from kilauea.lava.magma.core.decorator import implements, requires  # noqa: E402
from kilauea.lava.magma.core.sync.protocols.loihi_protocol import LoihiProtocol  # noqa: E402
from kilauea.lava.magma.core.run_configs import Loihi1SimCfg  # noqa: E402

NUM_STEPS = 100

#: Parameters of both layers. The float ones are the tutorial's; the fixed
#: ones are integers for the bit-exact models (du, dv in 1/4096 per step,
#: thresholds compared as vth << 6, weights in the 8-bit synapse range).
PARAMS = {
    "floating_pt": dict(
        lif1=dict(vth=10., dv=0.1, du=0.1, bias_mant=(1.1, 1.2, 1.3)),
        lif2=dict(vth=10., dv=0.1, du=0.1, bias_mant=0.),
        weights=lambda rng: rng.random((2, 3)),
        input_weight=1.0, spike_prob=7),
    "fixed_pt": dict(
        lif1=dict(vth=10, dv=410, du=410, bias_mant=(110, 120, 130)),
        lif2=dict(vth=100, dv=410, du=410, bias_mant=0),
        weights=lambda rng: rng.integers(1, 16, (2, 3)),
        input_weight=2, spike_prob=7),
}


# --------------------------------------------------------------- part 2
class SpikeGenerator(AbstractProcess):
    """Spike generator process provides spikes to subsequent Processes.

    Parameters
    ----------
    shape: tuple
        defines the dimensionality of the generated spikes per timestep
    spike_prob: int
        spike probability in percent
    seed: int
        seed of the generator's random numbers (for reproducible runs)
    """

    def __init__(self, shape: tuple, spike_prob: int, seed: int = 0) -> None:
        super().__init__(shape=shape, seed=seed)
        self.spike_prob = Var(shape=(1,), init=spike_prob)
        self.s_out = OutPort(shape=shape)


@implements(proc=SpikeGenerator, protocol=LoihiProtocol)
@requires(CPU)
class PySpikeGeneratorModel(PyLoihiProcessModel):
    """Spike Generator process model."""

    spike_prob: int = LavaPyType(int, int)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.rng = np.random.default_rng(proc_params["seed"])

    def run_spk(self) -> None:
        # Generate random spike data and send it
        spike_prob = np.asarray(self.spike_prob).reshape(-1)[0]
        spike_data = self.rng.random(self.s_out.shape) < spike_prob / 100
        self.s_out.send(spike_data)


# -------------------------------------------------------------- helpers
def _plot_layers(monitors: tuple, lifs: tuple, path: str, network: str) -> None:
    """Per layer: its voltages (one line per neuron, the threshold dashed)
    above its spike raster. The title names the network and where it ran
    (``backend_label``: "CPU fixed_pt", "chip (compiled, 2x2)", ...)."""
    monitor_lif1, monitor_lif2, _, spikes1, spikes2 = monitors
    fig, axes = plt.subplots(2, 2, figsize=(16, 8), sharex=True,
                             gridspec_kw=dict(height_ratios=(3, 1)))
    for k, (v_mon, s_mon, lif) in enumerate(zip((monitor_lif1, monitor_lif2),
                                                (spikes1, spikes2), lifs)):
        v_mon.plot(axes[0, k], lif.v)
        s_mon.plot(axes[1, k], lif.s_out)
        axes[0, k].set_xlabel("")
    fig.suptitle(f"{network} ({backend_label(lifs[-1])})")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _probe_layers(lif1, lif2, num_steps: int) -> tuple:
    """Monitors of both layers, as in Lava's tutorial: v of each layer (one
    Monitor each, the ones plotted), u of both, and the spikes of each."""
    monitor_lif1, monitor_lif2 = Monitor(), Monitor()
    monitor_lif1.probe(lif1.v, num_steps)
    monitor_lif2.probe(lif2.v, num_steps)
    monitor_u = Monitor()
    monitor_u.probe(lif1.u, num_steps)
    monitor_u.probe(lif2.u, num_steps)
    spikes1, spikes2 = Monitor(), Monitor()
    spikes1.probe(lif1.s_out, num_steps)
    spikes2.probe(lif2.s_out, num_steps)
    return monitor_lif1, monitor_lif2, monitor_u, spikes1, spikes2


def _recordings(monitors: tuple, lif1, lif2) -> dict:
    """What `_probe_layers`' Monitors recorded, and the spike counts."""
    monitor_lif1, monitor_lif2, monitor_u, spikes1, spikes2 = monitors
    return dict(
        v1=monitor_lif1.get_data()[lif1.name]["v"],
        v2=monitor_lif2.get_data()[lif2.name]["v"],
        u1=monitor_u.get_data()[lif1.name]["u"],
        u2=monitor_u.get_data()[lif2.name]["u"],
        s1=spikes1.get_data()[lif1.name]["s_out"],
        s2=spikes2.get_data()[lif2.name]["s_out"],
        spikes1=_spike_counts(spikes1, lif1),
        spikes2=_spike_counts(spikes2, lif2))


def _spike_counts(monitor, proc) -> int:
    return int(np.count_nonzero(monitor.get_data()[proc.name]["s_out"]))


def _chip_results(proc, result: dict) -> None:
    """With a chip run: the compile report and the cycles of every step."""
    chip = proc.runtime.chip
    if chip is not None:
        result["report"] = str(chip.report)
        result["cycles"] = list(chip.stats.cycles)
        result["engine"] = getattr(chip.engine, "name", type(chip.engine).__name__)


def part1(tag: str, out_dir: str, seed: int = 0, run_cfg=None,
          num_steps: int = NUM_STEPS) -> dict:
    """LIF -> Dense -> LIF from the process library, with two Monitors
    (``run_cfg``: default ``CpuSimCfg(select_tag=tag)``)."""
    p = PARAMS[tag]
    rng = np.random.default_rng(seed)
    lif1 = LIF(shape=(3,), name="lif1", **p["lif1"])
    dense = Dense(weights=p["weights"](rng), name="dense")
    lif2 = LIF(shape=(2,), name="lif2", **p["lif2"])
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)

    for proc in (lif1, dense, lif2):
        for port in list(proc.in_ports) + list(proc.out_ports):
            print(f"Proc: {proc.name:<5}  Name: {port.name:<5}  "
                  f"Size: {port.size}")
    for var in lif1.vars:
        print(f"Var: {var.name:<9}  Shape: {var.shape}  Init: {var.init}")

    monitors = _probe_layers(lif1, lif2, num_steps)

    if run_cfg is None:
        run_cfg = CpuSimCfg(select_tag=tag)
    lif2.run(condition=RunSteps(num_steps=num_steps), run_cfg=run_cfg)
    result = dict(weights=dense.weights.get(), **_recordings(monitors, lif1, lif2))
    _chip_results(lif2, result)
    path = os.path.join(out_dir, "walkthrough_part1_v.png")
    _plot_layers(monitors, (lif1, lif2), path, "LIF -> Dense -> LIF")
    lif2.stop()
    result["png"] = path
    return result


def part2(tag: str, out_dir: str, seed: int = 0, run_cfg=None,
          num_steps: int = NUM_STEPS) -> dict:
    """The same network driven by the custom SpikeGenerator (``run_cfg``:
    default Lava's spelling, ``Loihi1SimCfg(select_tag=tag)``)."""
    p = PARAMS[tag]
    rng = np.random.default_rng(seed)
    lif1 = LIF(shape=(3,), name="lif1", **dict(p["lif1"], bias_mant=0))
    dense = Dense(weights=p["weights"](rng), name="dense")
    lif2 = LIF(shape=(2,), name="lif2", **p["lif2"])
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)

    spike_gen = SpikeGenerator(shape=(lif1.a_in.shape[0],),
                               spike_prob=p["spike_prob"], seed=seed)
    dense_input = Dense(weights=np.eye(lif1.a_in.shape[0])
                        * p["input_weight"], name="dense_input")
    spike_gen.s_out.connect(dense_input.s_in)
    dense_input.a_out.connect(lif1.a_in)

    monitors = _probe_layers(lif1, lif2, num_steps)
    monitor_gen = Monitor()
    monitor_gen.probe(spike_gen.s_out, num_steps)

    if run_cfg is None:
        # Lava's spelling of the CPU run configuration.
        run_cfg = Loihi1SimCfg(select_tag=tag)
    lif2.run(condition=RunSteps(num_steps=num_steps), run_cfg=run_cfg)
    result = dict(weights=dense.weights.get(),
                  input_spikes=monitor_gen.get_data()[spike_gen.name]["s_out"],
                  **_recordings(monitors, lif1, lif2))
    _chip_results(lif2, result)
    path = os.path.join(out_dir, "walkthrough_part2_v.png")
    _plot_layers(monitors, (lif1, lif2), path,
                 "SpikeGenerator -> Dense -> LIF -> Dense -> LIF")
    lif2.stop()
    result["png"] = path
    return result


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description="Lava's walk-through on kilauea")
    ap.add_argument("--out", default="demo-output",
                    help="folder for the PNG plots (default ./demo-output)")
    ap.add_argument("--tag", default=None, choices=sorted(PARAMS),
                    help="which models to run (default floating_pt; "
                         "fixed_pt with --chip)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--chip", action="store_true",
                    help="run LIF and Dense on the emulated kilauea chip")
    ap.add_argument("--engine", default=None,
                    help="chip engine: auto, model (golden numpy model), pysim "
                         "(RTL in Amaranth's simulator), compiled (default: "
                         "$KILAUEA_ENGINE, set by `kilauea run --engine`, else auto)")
    ap.add_argument("--mesh", default=None,
                    help="chip mesh WxH (default: $KILAUEA_MESH, else 2x2)")
    ap.add_argument("--steps", type=int, default=NUM_STEPS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    tag = args.tag or ("fixed_pt" if args.chip else "floating_pt")
    if args.chip and tag != "fixed_pt":
        ap.error("--chip runs the fixed-point models: use --tag fixed_pt (the default)")
    os.makedirs(args.out, exist_ok=True)
    cfgs = {"part1": None, "part2": None}
    if args.chip:
        try:
            mesh = None if args.mesh is None else parse_mesh(args.mesh, "--mesh")
        except ValueError as e:
            ap.error(str(e))
        cfgs = {p: ChipCfg(mesh=mesh, engine=args.engine) for p in cfgs}
    results = {"part1": part1(tag, args.out, args.seed, cfgs["part1"], args.steps),
               "part2": part2(tag, args.out, args.seed, cfgs["part2"], args.steps)}
    where = f"chip, engine {args.engine or 'default'}" if args.chip else tag
    for part, r in results.items():
        if "report" in r:
            print(f"--- {part}: compile report (engine: {r['engine']})")
            print(r["report"])
            cyc = r["cycles"]
            if all(c is None for c in cyc):
                print(f"--- {part}: engine {r['engine']} has no clock (no cycle counts)")
                cyc = []
            else:
                print(f"--- {part}: clock cycles per step, steps 1..{len(cyc)}")
            for k in range(0, len(cyc), 10):
                print(f"  {k + 1:>4}: " + " ".join(
                    f"{'-' if c is None else c:>6}" for c in cyc[k:k + 10]))
        print(f"{part} ({tag}{', ' + where if args.chip else ''}): lif1 spikes "
              f"{r['spikes1']}, lif2 spikes {r['spikes2']}; plot: {r['png']}")
    return results


if __name__ == "__main__":
    main()
