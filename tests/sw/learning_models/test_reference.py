"""Kilauea's fixed-point plastic networks equal lava-nc 0.10's, bit for bit.

The reference results in ``data/`` were written once by ``scripts/learning_reference.py``
under lava-nc 0.10 (its bit-approximate LearningDense/LearningSparse models): weights,
tag_1, tag_2 and the traces x1, x2, y1, y2, y3 after every 40 of 320 steps, and the
post-synaptic spikes of every step, for seeded STDP, sparse STDP, custom-rule (all
traces, both tags, ``t_epoch`` 4), graded-spike and reward-modulated (three-factor)
networks. Here the same networks (``nets/networks.py``) run on kilauea's CPU models.
"""
import pathlib

import numpy as np
import pytest

DATA = pathlib.Path(__file__).parent / "data"
NAMES = ("stdp", "sparse_stdp", "custom", "graded_add_nosat", "graded_overwrite", "rstdp")


def test_every_network_has_its_reference(networks):
    assert set(networks.NETWORKS) == set(NAMES)
    assert {p.stem for p in DATA.glob("*.npz")} == set(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_fixed_point_run_equals_lava_nc(networks, name):
    ref = np.load(DATA / f"{name}.npz")
    assert str(ref["lava_nc"]).startswith("0.10")
    ours = networks.run(name, seed=int(ref["seed"]))
    assert ref["spikes"].sum() > 100, "the reference network must be active"
    for key in networks.RECORDED + ("spikes",):
        got, want = ours[key], ref[key]
        assert got.shape == want.shape, f"{name}: {key} shape {got.shape} != {want.shape}"
        bad = np.argwhere(got != want)
        assert bad.size == 0, (f"{name}: {key} differs from lava-nc at {len(bad)} places, "
                               f"first at {tuple(bad[0])}: {got[tuple(bad[0])]} != "
                               f"{want[tuple(bad[0])]}")
    # the rule did something: the weights change between chunks
    assert np.any(np.diff(ours["weights"], axis=0) != 0)
