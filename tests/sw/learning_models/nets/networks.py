"""Seeded plastic networks, the same for lava-nc 0.10 and kilauea.

Imported by ``scripts/learning_reference.py`` under lava-nc's Python (module paths
``lava.``) to write the reference results in ``../data``, and by
``test_reference.py`` under kilauea's (``kilauea.lava.``), which must reproduce them
exactly. Only the import prefix differs: it is ``kilauea.lava`` when kilauea is
installed, else ``lava``.

Each network: a RingBuffer of seeded input spikes (binary or graded) -> a plastic
connection (fixed point) -> post-synaptic neurons whose spikes feed back to the
connection (``s_in_bap``). :func:`run` steps it ``STEPS`` steps in chunks of
``CHUNK`` and returns, after each chunk, the connection's weights, tags and traces,
plus the post-synaptic spikes of every step.
"""
from __future__ import annotations

import importlib

import numpy as np

try:
    import kilauea.lava  # noqa: F401
    PREFIX = "kilauea.lava"
except ImportError:                       # lava-nc's venv
    PREFIX = "lava"


def _m(path: str):
    return importlib.import_module(f"{PREFIX}.{path}")


LIF = _m("proc.lif.process").LIF
LearningLIF = _m("proc.lif.process").LearningLIF
AbstractPyLifModelFixed = _m("proc.lif.models").AbstractPyLifModelFixed
LearningDense = _m("proc.dense.process").LearningDense
LearningSparse = _m("proc.sparse.process").LearningSparse
Source = _m("proc.io.source").RingBuffer
Sink = _m("proc.io.sink").RingBuffer
Loihi2FLearningRule = _m("magma.core.learning.learning_rule").Loihi2FLearningRule
GradedSpikeCfg = _m("magma.core.learning.constants").GradedSpikeCfg
STDPLoihi = _m("proc.learning_rules.stdp_learning_rule").STDPLoihi
RewardModulatedSTDP = _m("proc.learning_rules.r_stdp_learning_rule").RewardModulatedSTDP
LearningNeuronModelFixed = _m("magma.core.model.py.neuron").LearningNeuronModelFixed
RunSteps = _m("magma.core.run_conditions").RunSteps
Loihi2SimCfg = _m("magma.core.run_configs").Loihi2SimCfg
LoihiProtocol = _m("magma.core.sync.protocols.loihi_protocol").LoihiProtocol
PyOutPort = _m("magma.core.model.py.ports").PyOutPort
LavaPyType = _m("magma.core.model.py.type").LavaPyType
CPU = _m("magma.core.resources").CPU
_dec = _m("magma.core.decorator")
implements, requires, tag = _dec.implements, _dec.requires, _dec.tag

STEPS = 320
CHUNK = 40
RECORDED = ("weights", "tag_1", "tag_2", "x1", "x2", "y1", "y2", "y3")


class RewardLIF(LearningLIF):
    """A LearningLIF that sends what a reward-modulated rule reads: its spikes
    (``s_out_bap``), a post-synaptic trace y1 and the reward y2 (its third factor)."""


@implements(proc=RewardLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class RewardLIFModelFixed(LearningNeuronModelFixed, AbstractPyLifModelFixed):
    """y1 = floor(y1 * exp(-1/tau) + impulse * last step's spikes); y2 = the reward."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    vth: int = LavaPyType(int, np.int32, precision=17)

    def __init__(self, proc_params):
        super().__init__(proc_params)
        self.s_out_buff = np.zeros(proc_params["shape"])

    # lava-nc's abstract fixed-point LIF asks its subclasses for these two (kilauea's
    # LIF models compute the same threshold test themselves and do not call them)
    def scale_threshold(self):
        self.effective_vth = np.left_shift(self.vth, self.vth_shift)
        self.isthrscaled = True

    def spiking_activation(self):
        return self.v > self.effective_vth

    def run_spk(self) -> None:
        rule = self._learning_rule
        self.y1 = np.floor(self.y1 * np.exp(-1 / rule.post_trace_decay_tau)
                           + rule.post_trace_kernel_magnitude * self.s_out_buff)
        super().run_spk()
        self.y2 = self.a_third_factor_in.recv()
        self.s_out_bap.send(self.s_out_buff)
        self.s_out_y1.send(self.y1)
        self.s_out_y2.send(self.y2)
        self.s_out_y3.send(self.y3)


def _spikes(rng, n: int, p: float) -> np.ndarray:
    return (rng.random((n, STEPS)) < p).astype(int)


def _post(n: int, rng, cls=None, **kwargs):
    cls = cls or LIF
    return cls(shape=(n,), du=400, dv=300, vth=40,
               bias_mant=rng.integers(200, 700, n), bias_exp=2, **kwargs)


def stdp(rng):
    """STDPLoihi, t_epoch 2, mixed-sign weights."""
    rule = STDPLoihi(learning_rate=1, A_plus=2, A_minus=-2, tau_plus=8, tau_minus=6,
                     t_epoch=2, rng_seed=7)
    conn = LearningDense(weights=rng.integers(-40, 90, (16, 24)), learning_rule=rule)
    return _spikes(rng, 24, 0.1), conn, _post(16, rng)


def sparse_stdp(rng):
    """STDPLoihi on LearningSparse (half the synapses absent), t_epoch 1."""
    rule = STDPLoihi(learning_rate=1, A_plus=3, A_minus=-2, tau_plus=10, tau_minus=10,
                     t_epoch=1, rng_seed=19)
    w = 2 * rng.integers(1, 60, (12, 20)) * (rng.random((12, 20)) < 0.5)   # even: kept
    conn = LearningSparse(weights=w, learning_rule=rule, tag_1=w // 4, tag_2=w // 8)
    return _spikes(rng, 20, 0.12), conn, _post(12, rng)


def custom(rng):
    """A Loihi2F rule over all five traces, the weights and both tags; t_epoch 4."""
    rule = Loihi2FLearningRule(
        dw="2^-2 * x1 * y0 - 2^-3 * y1 * x0 + 2^-4 * x2 * y2 * y0 - 2^-5 * u0 * w "
           "+ 2^-3 * t * x0",
        dt="x0 * y3 - 2^-1 * y0 * x1 - 2^-2 * u0 * t",
        dd="2^-4 * x0 * y1 + 2^-3 * y0 * x2 - 2^-3 * u0 * d",
        x1_impulse=12.5, x1_tau=6, x2_impulse=5.25, x2_tau=20, y1_impulse=10.75,
        y1_tau=8, y2_impulse=3.5, y2_tau=15, y3_impulse=7, y3_tau=30, t_epoch=4,
        rng_seed=21)
    shape = (14, 18)
    conn = LearningDense(weights=rng.integers(-60, 60, shape), learning_rule=rule,
                         tag_1=rng.integers(-20, 20, shape), tag_2=rng.integers(0, 30, shape))
    return _spikes(rng, 18, 0.15), conn, _post(14, rng)


def graded(rng, cfg_name: str = "ADD_WITHOUT_SATURATION"):
    """Graded input spikes (8 bits) into x1 (``graded_spike_cfg``), t_epoch 3."""
    rule = Loihi2FLearningRule(dw="2^-2 * x0 * y1 - 2^-2 * y0 * x1 + 2^-3 * y0 * x2",
                               x1_impulse=0, x1_tau=12, x2_impulse=9.5, x2_tau=9,
                               y1_impulse=14, y1_tau=7, t_epoch=3, rng_seed=33)
    conn = LearningDense(weights=rng.integers(0, 100, (10, 16)), learning_rule=rule,
                         num_message_bits=8,
                         graded_spike_cfg=getattr(GradedSpikeCfg, cfg_name))
    data = _spikes(rng, 16, 0.2) * rng.integers(1, 256, (16, STEPS))
    return data, conn, _post(10, rng)


def rstdp(rng):
    """RewardModulatedSTDP (three-factor): y1 and the reward y2 from RewardLIF."""
    rule = RewardModulatedSTDP(learning_rate=1, A_plus=2, A_minus=-2,
                               pre_trace_decay_tau=10, post_trace_decay_tau=10,
                               pre_trace_kernel_magnitude=16,
                               post_trace_kernel_magnitude=16,
                               eligibility_trace_decay_tau=0.5, t_epoch=1, rng_seed=5)
    conn = LearningDense(weights=rng.integers(0, 80, (12, 20)), learning_rule=rule)
    post = _post(12, rng, RewardLIF, learning_rule=rule)
    return _spikes(rng, 20, 0.1), conn, post


NETWORKS = {"stdp": stdp, "sparse_stdp": sparse_stdp, "custom": custom,
            "graded_add_nosat": graded,
            "graded_overwrite": lambda rng: graded(rng, "OVERWRITE"), "rstdp": rstdp}


def _dense_get(var) -> np.ndarray:
    value = var.get()
    return np.asarray(value.toarray() if hasattr(value, "toarray") else value)


def run(name: str, seed: int = 2026) -> dict:
    """Build network ``name`` from ``seed``, run it; the recorded arrays by name."""
    rng = np.random.default_rng(seed)
    data, conn, post = NETWORKS[name](rng)
    src = Source(data=data)
    sink = Sink(shape=post.s_out.shape, buffer=STEPS)
    src.s_out.connect(conn.s_in)
    conn.a_out.connect(post.a_in)
    post.s_out.connect(sink.a_in)
    if isinstance(post, RewardLIF):
        reward = (rng.random((post.s_out.shape[0], STEPS)) < 0.05) * rng.integers(1, 64)
        Source(data=reward.astype(int)).s_out.connect(post.a_third_factor_in)
        for port in ("bap", "y1", "y2", "y3"):
            getattr(post, f"s_out_{port}").connect(getattr(conn, f"s_in_{port}"))
    else:
        post.s_out.connect(conn.s_in_bap)
    out = {key: [] for key in RECORDED}
    cfg = Loihi2SimCfg(select_tag="fixed_pt")
    for _ in range(STEPS // CHUNK):
        conn.run(condition=RunSteps(num_steps=CHUNK), run_cfg=cfg)
        for key in RECORDED:
            out[key].append(_dense_get(getattr(conn, key)))
    out["spikes"] = [np.asarray(sink.data.get())]
    conn.stop()
    return {key: np.stack(vals).astype(np.int64) for key, vals in out.items()}
