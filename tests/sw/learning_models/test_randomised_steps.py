"""Randomised: kilauea's fixed-point LearningDense against step_ref.py, the loop-style
transcription of docs/learning.md ("How a plastic connection steps", "Traces",
"Random streams", "Fixed point").

Each seed draws rules for w, d and t (tests/sw/learning's random rule generator:
products of traces, synaptic variables, dependencies, constants and power-of-two
literals), random trace taus (0 included) and impulses (with fractions), t_epoch,
rng_seed, the weights' sign mode, initial weights and tags, and random pre- and post-synaptic spike trains
dense enough for repeated spikes within an epoch. Both run the same steps; the
weights, tags, traces and within-epoch spike times must be equal after every chunk
of steps (chunks end inside epochs too). A failure names its seed; rerun one with
KILAUEA_SEED=<seed>.
"""
import os
import pathlib
import sys

import numpy as np
import pytest

from kilauea.learning import Loihi2FLearningRule, LearningRuleError
from kilauea.lava.utils.weightutils import SignMode
from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.magma.core.run_configs import Loihi2SimCfg
from kilauea.lava.proc.dense.process import LearningDense
from kilauea.lava.proc.io.source import RingBuffer

HERE = pathlib.Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "learning"))   # the rule generator and spec
sys.path.insert(0, str(HERE))
import learning_rulegen as rulegen  # noqa: E402
import learning_spec_ref as spec_ref  # noqa: E402
import step_ref  # noqa: E402

SEEDS = ([int(os.environ["KILAUEA_SEED"])] if "KILAUEA_SEED" in os.environ
         else list(range(24)))
TRACES = ("x1", "x2", "y1", "y2", "y3")
TARGETS = {"dw": "weights", "dd": "tag_2", "dt": "tag_1"}


def _draw_rules(rng):
    """{target: DrawnRule} with one K for all its uK, at least one target."""
    while True:
        drawn = {t: rulegen.draw_rule(rng, spec_ref) for t in TARGETS if rng.random() < 0.6}
        ks = {r.k for r in drawn.values() if r.k is not None}
        if drawn and len(ks) <= 1:
            return drawn, (ks.pop() if ks else None)


def _case(seed):
    rng = np.random.default_rng(seed)
    taus = {n: int(rng.choice([0, rng.integers(1, 40)], p=[0.15, 0.85])) for n in TRACES}
    impulses = {n: float(rng.integers(0, 40 * 64)) / 64 for n in TRACES}
    t_epoch, rng_seed = int(rng.integers(1, 7)), int(rng.integers(0, 10_000))
    shape = (int(rng.integers(1, 5)), int(rng.integers(1, 6)))
    while True:
        drawn, k = _draw_rules(rng)
        try:
            rule = Loihi2FLearningRule(**{t: r.text for t, r in drawn.items()},
                                       **{f"{n}_tau": v for n, v in taus.items()},
                                       **{f"{n}_impulse": v for n, v in impulses.items()},
                                       t_epoch=t_epoch, rng_seed=rng_seed)
            break
        except LearningRuleError:        # a scaling factor out of range: draw again
            continue
    sign_mode = str(rng.choice(["MIXED", "EXCITATORY", "INHIBITORY"]))
    lo, hi = step_ref.WEIGHT_RANGE[sign_mode]
    init = dict(weights=rng.integers(lo, hi + 1, shape), tag_1=rng.integers(-257, 256, shape),
                tag_2=rng.integers(0, 256, shape), sign_mode=sign_mode)
    steps = int(rng.integers(20, 60))
    pre = (rng.random((shape[1], steps)) < rng.uniform(0.1, 0.6)).astype(int)
    post = (rng.random((shape[0], steps)) < rng.uniform(0.1, 0.6)).astype(int)
    ref = step_ref.RefConnection(init["weights"], init["tag_1"], init["tag_2"], taus,
                                 impulses, t_epoch, rng_seed,
                                 {TARGETS[t]: r.products for t, r in drawn.items()}, k,
                                 spec_ref, sign_mode)
    return rule, init, pre, post, ref, rng


def _ours(conn) -> dict:
    out = {n: np.asarray(getattr(conn, v).get()).astype(np.int64) for n, v in
           (("w", "weights"), ("t1", "tag_1"), ("t2", "tag_2"), ("tx", "tx"), ("ty", "ty"))}
    out.update({n: np.asarray(getattr(conn, n).get()).astype(np.int64) for n in TRACES})
    return out


def _theirs(ref) -> dict:
    out = {"w": np.array(ref.w), "t1": np.array(ref.t1), "t2": np.array(ref.t2),
           "tx": np.array(ref.tx), "ty": np.array(ref.ty)}
    out.update({n: np.array(ref.x[n]) for n in ("x1", "x2")})
    out.update({n: np.array(ref.y[n]) for n in ("y1", "y2", "y3")})
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_learning_dense_steps_as_the_docs_say(seed):
    rule, init, pre, post, ref, rng = _case(seed)
    conn = LearningDense(weights=init["weights"], tag_1=init["tag_1"], tag_2=init["tag_2"],
                         learning_rule=rule, sign_mode=getattr(SignMode, init["sign_mode"]))
    RingBuffer(data=pre).s_out.connect(conn.s_in)
    RingBuffer(data=post).s_out.connect(conn.s_in_bap)
    steps, done = pre.shape[1], 0
    try:
        while done < steps:
            chunk = min(int(rng.integers(1, 12)), steps - done)
            conn.run(condition=RunSteps(num_steps=chunk),
                     run_cfg=Loihi2SimCfg(select_tag="fixed_pt"))
            for n in range(done + 1, done + chunk + 1):
                ref.step(n, pre[:, n - 1], post[:, n - 1])
            done += chunk
            ours, theirs = _ours(conn), _theirs(ref)
            for key in theirs:
                assert np.array_equal(ours[key], theirs[key]), (
                    f"seed {seed}: {key} after step {done} ({init['sign_mode']}; rules "
                    f"{rule.dw_str!r}, "
                    f"{rule.dd_str!r}, {rule.dt_str!r}; t_epoch {rule.t_epoch}):\n"
                    f"kilauea {ours[key].tolist()}\ndocs    {theirs[key].tolist()}")
    finally:
        conn.stop()
