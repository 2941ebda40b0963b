"""A script that runs nothing on the chip (for `kilauea compile`'s error)."""
from kilauea import LIF, CpuSimCfg, RunSteps

lif = LIF(shape=(2,), vth=10, bias_mant=1)
lif.run(condition=RunSteps(num_steps=2), run_cfg=CpuSimCfg())
lif.stop()
print("cpu only")
