"""A tiny network for the CLI tests: LIF(3) -> Dense -> LIF(3) on ChipCfg().

    python tiny_net.py [--steps N] [--cpu-first]

ChipCfg() takes no engine or mesh here, so `kilauea run --engine/--mesh`
decide them. Prints the configuration and lif2's voltages.
"""
import argparse

from kilauea import LIF, ChipCfg, CpuSimCfg, Dense, Monitor, RunSteps


def network():
    lif1 = LIF(shape=(3,), du=0, dv=0, bias_mant=[2, 3, 4], bias_exp=6, vth=8, name="lif1")
    dense = Dense(weights=[[100, 0, 0], [0, 60, 0], [50, 50, -80]], name="dense")
    lif2 = LIF(shape=(3,), du=1024, dv=512, vth=20, name="lif2")
    lif1.s_out.connect(dense.s_in)
    dense.a_out.connect(lif2.a_in)
    return lif1, lif2


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=6)
    ap.add_argument("--cpu-first", action="store_true")
    args = ap.parse_args()
    if args.cpu_first:
        lif1, _ = network()
        lif1.run(condition=RunSteps(num_steps=2), run_cfg=CpuSimCfg(select_tag="fixed_pt"))
        lif1.stop()
        print("cpu run done")
    lif1, lif2 = network()
    mon = Monitor()
    mon.probe(lif2.v, args.steps)
    cfg = ChipCfg()
    print(f"engine={cfg.engine} mesh={cfg.mesh[0]}x{cfg.mesh[1]}")
    lif1.run(condition=RunSteps(num_steps=args.steps), run_cfg=cfg)
    print("v:", " ".join(str(int(v)) for v in mon.get_data()["lif2"]["v"][:, 2]))
    lif1.stop()


if __name__ == "__main__":
    main()
