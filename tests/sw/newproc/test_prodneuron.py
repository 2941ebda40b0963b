"""ProdNeuron: the fixed-point model against a transcription of
docs/processes.md ("ProdNeuron") and numbers obtained from lava-nc 0.10."""
import numpy as np
import pytest

from kilauea.proc.prodneuron.process import ProdNeuron

import vector_kit as vk


@pytest.mark.parametrize("seed", range(4))
def test_equals_the_equations(seed):
    rng, d1, d2, w = vk.lava_case(200 + seed)
    w = vk.even(w)
    vth, exp = int(rng.integers(0, 10 ** 5)), int(rng.integers(0, 12))
    (s,), _ = vk.run_two_inputs(ProdNeuron(shape=(4,), vth=vth, exp=exp), d1, d2, w, ("s_out",))
    x1, x2 = vk.inputs(d1, d2, w)
    v = vk.s32(x1 * x2) >> exp
    assert np.array_equal(s, np.where(np.abs(v) > vth, v, 0)), f"seed {seed}"


# Obtained by running lava-nc 0.10 (vk.lava_case(1); vth, exp drawn after
# NormVecDelay's vth as there): an int32 wrap of the product, then >> exp.
_LAVA_ROW0 = [0, -6465882, 5924143, -7256112, -8224910, -1275418]


def test_equal_to_lava_nc_and_lava_path():
    rng, d1, d2, w = vk.lava_case(1)
    rng.integers(0, 1000)
    proc = ProdNeuron(shape=(4,), vth=int(rng.integers(0, 1000)), exp=int(rng.integers(0, 9)))
    (s,), _ = vk.run_two_inputs(proc, d1, d2, w, ("s_out",))
    assert s[0].tolist() == _LAVA_ROW0
    from kilauea.lava.proc.prodneuron.models import PyProdNeuronModelFixed  # noqa
    from kilauea.lava.proc.prodneuron.process import ProdNeuron as L
    assert L is ProdNeuron
