"""LearningSparse whose tags are stored at other places than its weights: each variable
learns on its own stored synapses, reading the others there (0 where one is absent),
as LearningDense does on the same synapses. One epoch (LearningDense learns at the
absent places too, which the next epoch would read). Randomised (seeded, the seed in
every message): the weights' and tags' stored places, values and spike trains."""
import numpy as np
import pytest
from scipy.sparse import csr_matrix

from kilauea.learning import Loihi2FLearningRule
from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.magma.core.run_configs import Loihi2SimCfg
from kilauea.lava.proc.dense.process import LearningDense
from kilauea.lava.proc.io.source import RingBuffer
from kilauea.lava.proc.sparse.process import LearningSparse

NAMES = ("weights", "tag_1", "tag_2")


def _run(conn, pre, post, tag):
    RingBuffer(data=pre).s_out.connect(conn.s_in)
    RingBuffer(data=post).s_out.connect(conn.s_in_bap)
    conn.run(condition=RunSteps(num_steps=pre.shape[1]), run_cfg=Loihi2SimCfg(select_tag=tag))
    out = {n: getattr(conn, n).get() for n in NAMES}
    conn.stop()
    return {n: v.toarray() if hasattr(v, "toarray") else np.asarray(v) for n, v in out.items()}


def _shuffled_rows(rng, mask):
    """A mask with each row's count of ``mask`` at other random places: the same row
    pointers, other column indices."""
    out = np.zeros_like(mask)
    for i, row in enumerate(mask):
        out[i, rng.permutation(row.size)[:row.sum()]] = True
    return out


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
@pytest.mark.parametrize("seed", range(4))
def test_tags_stored_elsewhere(tag, seed):
    rng = np.random.default_rng(seed)
    shape, steps = (6, 9), 10
    w_at = rng.random(shape) < 0.6
    t1_at = _shuffled_rows(rng, w_at)
    t2_at = rng.random(shape) < 0.4
    w = 2 * rng.integers(1, 60, shape) * w_at       # even: the truncation keeps them
    t1 = rng.integers(1, 40, shape) * rng.choice([-1, 1], shape) * t1_at
    t2 = rng.integers(1, 40, shape) * t2_at
    rule = Loihi2FLearningRule(dw="2^-2*x0*y1 - 2^-2*y0*x1 + 2^-3*u0*t - 2^-4*y0*d",
                               dt="x0*y2 - 2^-1*y0*x1 + 2^-3*u0*w",
                               dd="2^-2*x0*y1 + 2^-3*y0*t", x1_impulse=12.5, x1_tau=6,
                               y1_impulse=9, y1_tau=5, y2_impulse=3, y2_tau=9, t_epoch=steps,
                               rng_seed=seed)
    pre = (rng.random((shape[1], steps)) < 0.3).astype(int)
    post = (rng.random((shape[0], steps)) < 0.3).astype(int)
    dense = _run(LearningDense(weights=w, tag_1=t1, tag_2=t2, learning_rule=rule), pre, post,
                 tag)
    sparse = _run(LearningSparse(weights=csr_matrix(w), tag_1=csr_matrix(t1),
                                 tag_2=csr_matrix(t2), learning_rule=rule), pre, post, tag)
    for name, at in zip(NAMES, (w_at, t1_at, t2_at)):
        np.testing.assert_allclose(sparse[name][at], dense[name][at], rtol=1e-12,
                                   err_msg=f"seed {seed}: {name}")
        assert np.all(sparse[name][~at] == 0), f"seed {seed}: absent {name} learned"
    assert not np.array_equal(dense["tag_1"], t1), f"seed {seed}: tag_1 learned nothing"
