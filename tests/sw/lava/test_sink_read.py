"""``io.sink.Read`` (Lava's path): reads a Var through a RefPort every
``interval`` steps, at phase ``offset``, into a ring buffer."""
import numpy as np
import pytest

from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.magma.core.run_configs import Loihi2SimCfg
from kilauea.lava.proc.io.sink import Read
from kilauea.lava.proc.lif.process import LIF


@pytest.mark.parametrize("tag", ["floating_pt", "fixed_pt"])
def test_read_samples_a_var_at_its_interval_and_offset(tag: str) -> None:
    lif = LIF(shape=(2,), bias_mant=np.array([1, 2]), vth=1000, du=0, dv=0)
    every_step = Read(buffer=3)
    sampled = Read(buffer=4, interval=3, offset=4)   # offset 4 % 3 = 1
    every_step.connect_var(lif.v)
    sampled.connect_var(lif.v)
    try:
        lif.run(condition=RunSteps(12), run_cfg=Loihi2SimCfg(select_tag=tag))
        # v after step t is t * bias; Read stores after steps t with
        # (t - 1) % interval == offset, the k-th read at k % buffer.
        v = np.outer([1, 2], np.arange(1, 13))
        assert every_step.data.get().tolist() == v[:, [9, 10, 11]].tolist()
        assert sampled.data.get().tolist() == v[:, [1, 4, 7, 10]].tolist()
        assert sampled.data.shape == (2, 4)
    finally:
        lif.stop()


def test_read_rejects_a_bad_buffer() -> None:
    with pytest.raises(ValueError, match="buffer"):
        Read(buffer=0)
