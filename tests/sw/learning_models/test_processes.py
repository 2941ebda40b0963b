"""LearningDense, LearningSparse and LearningLIF as Processes: their checks, Vars and
ports, and what they compute beside the reference results (sparse = dense on the same
stored synapses, float models, LearningLIF = LIF, host writes of the rule's Vars)."""
import numpy as np
import pytest
from scipy.sparse import csr_matrix

from kilauea.learning import GradedSpikeCfg, Loihi2FLearningRule, STDPLoihi
from kilauea.lava.magma.core.run_conditions import RunSteps
from kilauea.lava.magma.core.run_configs import Loihi2SimCfg
from kilauea.lava.proc.dense.process import LearningDense
from kilauea.lava.proc.io.source import RingBuffer
from kilauea.lava.proc.lif.process import LIF, LearningLIF
from kilauea.lava.proc.sparse.process import LearningSparse


def _stdp(tau_plus=8):
    return STDPLoihi(learning_rate=1, A_plus=2, A_minus=-2, tau_plus=tau_plus, tau_minus=8,
                     t_epoch=2, rng_seed=5)


def test_learning_dense_needs_a_rule():
    with pytest.raises(TypeError, match="LearningDense 'learning_rule' must be a "
                                        "LoihiLearningRule"):
        LearningDense(weights=np.ones((2, 3)))


def test_bad_graded_spike_cfg_and_tag_shape():
    with pytest.raises(ValueError, match="'graded_spike_cfg' must be a GradedSpikeCfg"):
        LearningDense(weights=np.ones((2, 3)), learning_rule=_stdp(), graded_spike_cfg=7)
    with pytest.raises(ValueError, match="LearningDense 'tag_1' must have the weights' "
                                         r"shape \(2, 3\), got \(3, 2\)"):
        LearningDense(weights=np.ones((2, 3)), learning_rule=_stdp(), tag_1=np.ones((3, 2)))
    with pytest.raises(ValueError, match="LearningSparse 'tag_2' must have"):
        LearningSparse(weights=np.ones((2, 3)), learning_rule=_stdp(), tag_2=np.ones((2, 2)))


def test_vars_and_ports_have_lavas_names():
    rule = _stdp()
    conn = LearningDense(weights=np.ones((2, 3)), learning_rule=rule)
    for name in ("x0", "tx", "x1", "x2"):
        assert getattr(conn, name).shape == (3,)
    for name in ("y0", "ty", "y1", "y2", "y3"):
        assert getattr(conn, name).shape == (2,)
    assert conn.tag_1.shape == conn.tag_2.shape == (2, 3)
    assert conn.dw.get() == rule.dw_str and conn.x1_tau.get() == rule.x1_tau
    for port in ("s_in_bap", "s_in_y1", "s_in_y2", "s_in_y3"):
        assert getattr(conn, port).shape == (2,)
    neuron = LearningLIF(shape=(4,), learning_rule=rule)
    for port in ("a_third_factor_in", "s_out_bap", "s_out_y1", "s_out_y2", "s_out_y3"):
        assert getattr(neuron, port).shape == (4,)
    assert neuron.proc_params["learning_rule"] is rule


def test_graded_cfg_takes_x1_from_the_payload():
    rule = _stdp()
    assert rule.x1_impulse > 0
    LearningDense(weights=np.ones((2, 3)), learning_rule=rule,
                  graded_spike_cfg=GradedSpikeCfg.OVERWRITE)
    assert rule.x1_impulse == 0           # as lava-nc: the payload feeds x1


def _run(conn, pre, post, tag, steps):
    RingBuffer(data=pre).s_out.connect(conn.s_in)
    RingBuffer(data=post).s_out.connect(conn.s_in_bap)
    conn.run(condition=RunSteps(num_steps=steps), run_cfg=Loihi2SimCfg(select_tag=tag))
    out = {n: getattr(conn, n).get() for n in ("weights", "tag_1", "tag_2", "x1", "y1")}
    conn.stop()
    return {n: v.toarray() if hasattr(v, "toarray") else np.asarray(v) for n, v in out.items()}


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
@pytest.mark.parametrize("seed", range(4))
def test_sparse_equals_dense_on_the_stored_synapses(tag, seed):
    rng = np.random.default_rng(seed)
    shape, steps = (5, 7), 40
    w = 2 * rng.integers(1, 60, shape) * (rng.random(shape) < 0.6)   # even: kept
    rule = Loihi2FLearningRule(dw="2^-2*x0*y1 - 2^-2*y0*x1 + 2^-4*u0*t",
                               dt="x0*y2 - 2^-1*y0*x1", x1_impulse=12.5, x1_tau=6,
                               y1_impulse=9, y1_tau=5, y2_impulse=3, y2_tau=9, t_epoch=3,
                               rng_seed=seed)
    pre = (rng.random((shape[1], steps)) < 0.3).astype(int)
    post = (rng.random((shape[0], steps)) < 0.3).astype(int)
    # nonzero where a weight is stored: the tag matrix stores the same synapses
    tags = rng.integers(1, 20, shape) * rng.choice([-1, 1], shape) * (w != 0)
    dense = _run(LearningDense(weights=w, tag_1=tags, learning_rule=rule), pre, post,
                 tag, steps)
    sparse = _run(LearningSparse(weights=csr_matrix(w), tag_1=csr_matrix(tags),
                                 learning_rule=rule), pre, post, tag, steps)
    stored = w != 0
    for name in ("weights", "tag_1"):
        np.testing.assert_allclose(sparse[name][stored], dense[name][stored], rtol=1e-12,
                                   err_msg=f"seed {seed}: {name}")
        assert np.all(sparse[name][~stored] == 0), f"seed {seed}: absent {name} learned"
    np.testing.assert_allclose(sparse["x1"], dense["x1"], rtol=1e-12)
    assert not np.array_equal(dense["weights"], w), f"seed {seed}: nothing learned"


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
def test_learning_lif_steps_as_lif(tag):
    kw = (dict(du=300, dv=200, vth=20, bias_mant=np.arange(4) * 300, bias_exp=2)
          if tag == "fixed_pt" else dict(du=0.1, dv=0.2, vth=1, bias_mant=np.arange(4) * 0.3))
    vs = []
    for cls in (LIF, LearningLIF):
        neuron = cls(shape=(4,), **kw)
        vs.append([])
        for _ in range(12):
            neuron.run(condition=RunSteps(num_steps=1), run_cfg=Loihi2SimCfg(select_tag=tag))
            vs[-1].append(np.asarray(neuron.v.get()).copy())
        neuron.stop()
    np.testing.assert_array_equal(np.array(vs[0]), np.array(vs[1]))
    assert np.any(np.array(vs[0]) != 0)


def test_host_write_of_a_tau_changes_the_rule_the_model_runs():
    """Setting x1_tau between runs changes the traces from then on."""
    rng = np.random.default_rng(3)
    pre = (rng.random((3, 30)) < 0.4).astype(int)
    post = (rng.random((2, 30)) < 0.4).astype(int)

    def run(tau_first, tau_then):
        conn = LearningDense(weights=np.full((2, 3), 40), learning_rule=_stdp(
            tau_plus=tau_first))
        RingBuffer(data=pre).s_out.connect(conn.s_in)
        RingBuffer(data=post).s_out.connect(conn.s_in_bap)
        cfg = Loihi2SimCfg(select_tag="fixed_pt")
        conn.run(condition=RunSteps(num_steps=10), run_cfg=cfg)
        conn.x1_tau.set(np.array([tau_then]))
        conn.run(condition=RunSteps(num_steps=20), run_cfg=cfg)
        out = np.asarray(conn.weights.get()), np.asarray(conn.x1.get())
        conn.stop()
        return out

    changed, unchanged, again = run(8, 2), run(8, 8), run(8, 2)
    assert not np.array_equal(changed[1], unchanged[1])      # x1 decays faster now
    for a, b in zip(changed, again):                         # and repeatably so
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("tag", ["fixed_pt", "floating_pt"])
def test_setting_dw_between_runs_changes_the_rule(tag):
    """dw is a text Var: get() gives the string, set() a new rule from the next step."""
    conn = LearningDense(weights=np.zeros((1, 1)),
                         learning_rule=Loihi2FLearningRule(dw="u0 * 1", t_epoch=1))
    RingBuffer(data=np.zeros((1, 4), dtype=int)).s_out.connect(conn.s_in)
    cfg = Loihi2SimCfg(select_tag=tag)
    conn.run(condition=RunSteps(num_steps=10), run_cfg=cfg)
    assert conn.dw.get() == "u0 * 1"
    conn.dw.set("u0 * 2")
    assert conn.dw.get() == "u0 * 2"
    with pytest.raises(ValueError, match="holds text; set it to a str"):
        conn.dw.set(3)
    conn.run(condition=RunSteps(num_steps=10), run_cfg=cfg)
    assert float(np.asarray(conn.weights.get()).item()) == 30
    conn.stop()
