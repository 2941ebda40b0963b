"""ProcessModel bases of plastic connections: float and fixed point ("bit-approximate").

A plastic connection model mixes :class:`LearningConnectionModelFloat` or
:class:`LearningConnectionModelBitApproximate` in front of its connection model
(Dense, Sparse) and calls :meth:`PyLearningConnection.recv_traces` at the end of its
``run_spk`` with the step's input spikes. Each step:

1. (the connection) sends last step's sums, receives the input spikes, accumulates;
2. ``recv_traces``: records the sources' spike time in the epoch (``tx``; a second
   spike in the same epoch adds the impulses to x1, x2 at once, or with a graded
   ``graded_spike_cfg`` writes the payload into x1), advances the trace random
   streams, receives the targets' back-propagated spikes (``s_in_bap``: ``ty``; and,
   with a Loihi3FLearningRule, their y1..y3 through ``s_in_y1..3``), advances the
   trace streams again;
3. at the last step of an epoch (``time_step % t_epoch == 0``, the learning phase):
   advances the synaptic-variable stream, sets ``x0 = tx > 0`` and ``y0 = ty > 0``,
   replays the epoch's traces (:mod:`.traces`), stores their last values (y traces only
   with a Loihi2FLearningRule), applies the rule to weights, tag_1, tag_2
   (:mod:`.synvars`) and clears the spike times.

The random streams (fixed point): x traces use numpy generators seeded ``rng_seed``
(decay) and ``rng_seed + 1`` (impulse), y traces ``rng_seed + 2`` and ``rng_seed + 3``,
the synaptic variables ``ConnVarRandom``'s own. See ``docs/learning.md``.
"""
from __future__ import annotations

import copy
import typing as ty

import numpy as np
from scipy import sparse

from ...learning import string_symbols as sym
from ...learning import (GradedSpikeCfg, LearningRuleApplierBitApprox,
                         LearningRuleApplierFloat, Loihi2FLearningRule, Loihi3FLearningRule,
                         rule_randoms)
from ...numerics import SignMode
from .._api import LavaPyType, PyInPort
from . import synvars, traces
from .process import TRACE_PARAM_VARS

#: Rule target ("dw", "dd", "dt") -> the synaptic variable it changes.
TARGET_VARS = {"dw": "weights", "dt": "tag_1", "dd": "tag_2"}


def _first(x) -> float:
    return np.asarray(x).reshape(-1)[0].item()


class PyLearningConnection:
    """What float and fixed-point plastic connections share (lava-nc's
    ``PyLearningConnection``). ``proc_params``: ``learning_rule`` (copied: a run
    never changes the user's rule), ``shape``, ``graded_spike_cfg``, ``sign_mode``
    (default MIXED)."""

    def __init__(self, proc_params: dict) -> None:
        super().__init__(proc_params)
        self._learning_rule = copy.deepcopy(proc_params["learning_rule"])
        self._shape: tuple = tuple(proc_params["shape"])
        self._graded_spike_cfg = GradedSpikeCfg(
            proc_params.get("graded_spike_cfg", GradedSpikeCfg.USE_REGULAR_IMPULSE))
        self.sign_mode = proc_params.get("sign_mode", SignMode.MIXED)
        self._build_from_rule()
        self._init_randoms()
        self._stored_synapses: dict = {}

    # ------------------------------------------------------------ the rule
    def _build_from_rule(self) -> None:
        rule = self._learning_rule
        self._x_group = traces.TraceGroup(
            np.array([rule.x1_tau, rule.x2_tau]), np.array([rule.x1_impulse, rule.x2_impulse]))
        self._y_group = traces.TraceGroup(
            np.array([rule.y1_tau, rule.y2_tau, rule.y3_tau]),
            np.array([rule.y1_impulse, rule.y2_impulse, rule.y3_impulse]))
        self._wanted_traces = {dep: set(tr) for dep, tr in
                               rule.active_traces_per_dependency.items()}
        self._learning_rule_appliers = {
            TARGET_VARS[target]: self._create_learning_rule_applier(ps)
            for target, ps in rule.active_product_series.items()}
        self._read_syn_vars = sorted({
            sym.SYNAPTIC_VARIABLE_VAR_MAPPING[f.state_var]
            for ps in rule.active_product_series.values() for p in ps.products
            for f in p.factors if f.state_var in sym.SYNAPTIC_VARIABLE_VAR_MAPPING})
        self._store_impulses()

    def _store_impulses(self) -> None:
        """Hook: the fixed-point model splits the impulses."""

    def on_var_update(self) -> None:
        """A host write may have changed the rule's strings, taus or impulses."""
        super_update = getattr(super(), "on_var_update", None)
        if super_update is not None:
            super_update()
        rule = self._learning_rule
        for name in TRACE_PARAM_VARS:
            setattr(rule, name, _first(getattr(self, name)))
        rule.dw_str, rule.dd_str, rule.dt_str = self.dw, self.dd, self.dt
        self._build_from_rule()

    # ------------------------------------------------------------ the spike phase
    def _within_epoch_time_step(self) -> int:
        """The step's place in its epoch, 1..t_epoch."""
        return (self.time_step - 1) % self._learning_rule.t_epoch + 1

    def recv_traces(self, s_in: np.ndarray) -> None:
        """Step 2 of the module docstring, after the connection received ``s_in``."""
        self._process_pre_spikes(s_in)
        self._update_trace_randoms()
        rule = self._learning_rule
        if isinstance(rule, (Loihi2FLearningRule, Loihi3FLearningRule)):
            self._process_post_spikes(self.s_in_bap.recv().astype(bool))
        if isinstance(rule, Loihi3FLearningRule):
            received = self._y_traces()       # the neuron's y traces replace ours
            for row, port in enumerate((self.s_in_y1, self.s_in_y2, self.s_in_y3)):
                received[row] = port.recv()
            self.y1, self.y2, self.y3 = received[0], received[1], received[2]
        self._update_trace_randoms()

    def _update_trace_randoms(self) -> None:
        """Hook: the fixed-point model advances its trace random streams."""

    def _init_randoms(self) -> None:
        """Hook: the fixed-point model creates its random streams."""

    # ------------------------------------------------------------ the learning phase
    def lrn_guard(self) -> bool:
        return self.time_step % self._learning_rule.t_epoch == 0

    def run_lrn(self) -> None:
        self._update_synaptic_variable_random()
        self.x0 = self.tx > 0
        self.y0 = self.ty > 0
        x_hist, y_hist = self._compute_trace_histories()
        self.x1, self.x2 = x_hist[-1][0], x_hist[-1][1]
        if isinstance(self._learning_rule, Loihi2FLearningRule):
            self.y1, self.y2, self.y3 = y_hist[-1][0], y_hist[-1][1], y_hist[-1][2]
        self._apply_learning_rules(self._applier_args(), x_hist, y_hist)
        self.x0 = np.zeros_like(self.x0)
        self.y0 = np.zeros_like(self.y0)
        self.tx = np.zeros_like(self.tx)
        self.ty = np.zeros_like(self.ty)

    def _update_synaptic_variable_random(self) -> None:
        """Hook: the fixed-point model advances its synaptic-variable stream."""

    def _x_traces(self) -> np.ndarray:
        return np.stack([np.asarray(self.x1), np.asarray(self.x2)])

    def _y_traces(self) -> np.ndarray:
        return np.stack([np.asarray(self.y1), np.asarray(self.y2), np.asarray(self.y3)])

    def _applier_args(self) -> dict:
        """The names a rule's products read (lava-nc's applier arguments), but the
        traces (:meth:`_apply_learning_rules` adds them); the synaptic variables the
        rules read are as stored (dense arrays or CSR matrices)."""
        rule = self._learning_rule
        u = 0
        if rule.decimate_exponent is not None:
            epoch = self.time_step // rule.t_epoch
            u = 1 if epoch % 2 ** rule.decimate_exponent == 0 else 0
        args = {"shape": self._shape, "x0": np.asarray(self.x0)[np.newaxis, :],
                "y0": np.asarray(self.y0)[:, np.newaxis], "u": u, "np": np}
        args.update({name: getattr(self, name) for name in self._read_syn_vars})
        return args

    def _apply_learning_rules(self, args: dict, x_hist: np.ndarray,
                              y_hist: np.ndarray) -> None:
        """Each rule on its variable, all reading the values before this epoch's
        updates; ``x_hist``, ``y_hist``: the epoch's trace histories."""
        dense_args = None
        hists = (x_hist, y_hist, np.asarray(self.tx), np.asarray(self.ty),
                 self._wanted_traces)
        for name, applier in self._learning_rule_appliers.items():
            old = getattr(self, name)
            if sparse.issparse(old):
                setattr(self, name, self._update_stored(name, old, applier, args, hists))
                continue
            if dense_args is None:
                dense_args = {k: (v.toarray() if sparse.issparse(v) else v)
                              for k, v in args.items()}
                dense_args.update(traces.evaluated_traces(*hists))
            setattr(self, name, self._update_syn_var(name, np.asarray(old), applier,
                                                     dense_args))

    def _update_stored(self, name: str, old, applier, args: dict, hists: tuple):
        """A sparse variable learns on its stored entries only: the rule runs on the
        arguments gathered at those synapses (a 1-D problem of ``nnz`` synapses, the
        same numbers as the dense one there) and the entries keep their places."""
        out = sparse.csr_matrix(old, copy=True)
        stored = self._stored_synapses.get(name)
        if stored is None or not stored.same_places(out):
            stored = self._stored_synapses[name] = traces.StoredSynapses.of(out)
        picked = {k: _at_stored(v, stored) for k, v in args.items()}
        picked.update(traces.traces_at(*hists, stored))
        picked["shape"] = (stored.rows.size,)
        new = self._update_syn_var(name, out.data, applier, picked)
        out.data = np.asarray(new, dtype=out.data.dtype)
        return out


def _at_stored(value, stored: traces.StoredSynapses):
    """``value`` (an applier argument: an array broadcastable to the connection's
    shape, a sparse matrix of that shape, or a scalar) at the `stored` synapses, in
    their order; scalars and other arguments as they are. A 2-D array is indexed
    along its non-singleton axes only (no broadcast copy); a CSR matrix stored at the
    same places gives its ``data``."""
    rows, cols = stored.rows, stored.cols
    if sparse.issparse(value):
        if isinstance(value, sparse.csr_matrix) and stored.same_places(value):
            return value.data
        return value.toarray()[rows, cols]
    if not isinstance(value, np.ndarray) or value.ndim != 2:
        return value
    if value.shape[0] == 1:
        return value[0][cols] if value.shape[1] > 1 else value[0, 0]
    if value.shape[1] == 1:
        return value[:, 0][rows]
    return np.ascontiguousarray(value).ravel()[stored.post_major]


# ================================================================ fixed point
class LearningConnectionModelBitApproximate(PyLearningConnection):
    """Fixed-point plastic connection, as lava-nc 0.10's bit-approximate model.

    Widths: traces x1..y3 7 bits unsigned, spike times ``tx``/``ty`` 6 bits, tag_1 and
    tag_2 8 bits of magnitude, impulses and taus 8 bits; weights 8 bits (sign mode)."""

    s_in_bap: PyInPort = LavaPyType(PyInPort.VEC_DENSE, bool, precision=1)
    s_in_y1: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=7)
    s_in_y2: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=7)
    s_in_y3: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=7)
    x0: np.ndarray = LavaPyType(np.ndarray, bool)
    tx: np.ndarray = LavaPyType(np.ndarray, int, precision=6)
    x1: np.ndarray = LavaPyType(np.ndarray, int, precision=7)
    x2: np.ndarray = LavaPyType(np.ndarray, int, precision=7)
    y0: np.ndarray = LavaPyType(np.ndarray, bool)
    ty: np.ndarray = LavaPyType(np.ndarray, int, precision=6)
    y1: np.ndarray = LavaPyType(np.ndarray, int, precision=7)
    y2: np.ndarray = LavaPyType(np.ndarray, int, precision=7)
    y3: np.ndarray = LavaPyType(np.ndarray, int, precision=7)
    tag_2: np.ndarray = LavaPyType(np.ndarray, int, precision=6)
    tag_1: np.ndarray = LavaPyType(np.ndarray, int, precision=8)
    dw: str = LavaPyType(str, str)
    dd: str = LavaPyType(str, str)
    dt: str = LavaPyType(str, str)
    x1_tau: np.ndarray = LavaPyType(np.ndarray, int, precision=8)
    x1_impulse: np.ndarray = LavaPyType(np.ndarray, int, precision=8)
    x2_tau: np.ndarray = LavaPyType(np.ndarray, int, precision=8)
    x2_impulse: np.ndarray = LavaPyType(np.ndarray, int, precision=8)
    y1_tau: np.ndarray = LavaPyType(np.ndarray, int, precision=8)
    y1_impulse: np.ndarray = LavaPyType(np.ndarray, int, precision=8)
    y2_tau: np.ndarray = LavaPyType(np.ndarray, int, precision=8)
    y2_impulse: np.ndarray = LavaPyType(np.ndarray, int, precision=8)
    y3_tau: np.ndarray = LavaPyType(np.ndarray, int, precision=8)
    y3_impulse: np.ndarray = LavaPyType(np.ndarray, int, precision=8)

    def _store_impulses(self) -> None:
        self._x_whole, self._x_frac = traces.split_impulses(self._x_group.impulses)
        self._y_whole, self._y_frac = traces.split_impulses(self._y_group.impulses)

    def _create_learning_rule_applier(self, product_series):
        return LearningRuleApplierBitApprox(product_series)

    def _init_randoms(self) -> None:
        randoms = rule_randoms(self._learning_rule.rng_seed)
        self._x_random, self._y_random = randoms.x, randoms.y
        self._conn_var_random = randoms.conn_var

    def _update_trace_randoms(self) -> None:
        self._x_random.advance()
        self._y_random.advance()

    def _update_synaptic_variable_random(self) -> None:
        self._conn_var_random.advance()

    def _process_pre_spikes(self, s_in: np.ndarray) -> None:
        """Record the sources' spike times; a second spike in the epoch adds the
        impulses at once (no rounding randomness: the fraction adds 1 if nonzero).
        Graded modes write the payload / 2 (rounded, as uint8) into x1: OVERWRITE
        replaces it, ADD_WITH_SATURATION adds and clips to 0..127,
        ADD_WITHOUT_SATURATION adds, keeps the overflow above 127 and counts only an
        overflowing spike (its time, its x2 impulse)."""
        spiked = np.asarray(s_in).astype(bool)
        again = (self.tx > 0) & spiked
        payload = np.round(np.asarray(s_in) / 2).astype(np.uint8)
        timed, x2_again = spiked, again
        cfg = self._graded_spike_cfg
        if cfg == GradedSpikeCfg.USE_REGULAR_IMPULSE:
            self.x1[again] = traces.add_impulse_fixed(self.x1[again], 0, self._x_whole[0],
                                                      self._x_frac[0])
        elif cfg == GradedSpikeCfg.OVERWRITE:
            self.x1[spiked] = payload[spiked]
        else:
            sums = (self.x1 + payload).astype(np.uint8)
            if cfg == GradedSpikeCfg.ADD_WITH_SATURATION:
                self.x1 = np.clip(sums, 0, traces.TRACE_MAX)
            else:
                overflow = sums > traces.TRACE_MAX
                timed, x2_again = timed & overflow, x2_again & overflow
                sums[overflow] -= traces.TRACE_MAX
                self.x1 = sums
        self.x2[x2_again] = traces.add_impulse_fixed(self.x2[x2_again], 0,
                                                     self._x_whole[1], self._x_frac[1])
        self.tx[timed] = self._within_epoch_time_step()

    def _process_post_spikes(self, bap: np.ndarray) -> None:
        """Record the targets' spike times; a second spike in the epoch adds the y
        impulses at once, rounded with the step's y impulse random number."""
        self.y0[bap] = True
        again = (self.ty > 0) & bap
        if again.any():
            y = self._y_traces()
            y[:, again] = traces.add_impulse_fixed(
                y[:, again], self._y_random.random_impulse_addition,
                self._y_whole[:, np.newaxis], self._y_frac[:, np.newaxis])
            self.y1, self.y2, self.y3 = y[0], y[1], y[2]
        self.ty[bap] = self._within_epoch_time_step()

    def _compute_trace_histories(self) -> ty.Tuple[np.ndarray, np.ndarray]:
        t_epoch = self._learning_rule.t_epoch
        xr, yr = self._x_random, self._y_random
        x_hist = traces.history_fixed(self._x_traces(), self._x_group, np.asarray(self.tx),
                                      t_epoch, xr.random_trace_decay, xr.random_impulse_addition)
        y_hist = traces.history_fixed(self._y_traces(), self._y_group, np.asarray(self.ty),
                                      t_epoch, yr.random_trace_decay, yr.random_impulse_addition)
        return x_hist, y_hist

    def _update_syn_var(self, name: str, values: np.ndarray, applier, args: dict):
        return synvars.update_fixed(name, values, applier, args, self.sign_mode,
                                    self._conn_var_random.random_stochastic_round)


# ================================================================ floating point
class LearningConnectionModelFloat(PyLearningConnection):
    """Floating-point plastic connection, as lava-nc 0.10's float model (no rounding,
    no saturation of traces; the graded ADD modes add payload / 2 to x1 unbounded)."""

    s_in_bap: PyInPort = LavaPyType(PyInPort.VEC_DENSE, bool)
    s_in_y1: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_in_y2: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_in_y3: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    x0: np.ndarray = LavaPyType(np.ndarray, bool)
    tx: np.ndarray = LavaPyType(np.ndarray, int, precision=6)
    x1: np.ndarray = LavaPyType(np.ndarray, float)
    x2: np.ndarray = LavaPyType(np.ndarray, float)
    y0: np.ndarray = LavaPyType(np.ndarray, bool)
    ty: np.ndarray = LavaPyType(np.ndarray, int, precision=6)
    y1: np.ndarray = LavaPyType(np.ndarray, float)
    y2: np.ndarray = LavaPyType(np.ndarray, float)
    y3: np.ndarray = LavaPyType(np.ndarray, float)
    tag_2: np.ndarray = LavaPyType(np.ndarray, float)
    tag_1: np.ndarray = LavaPyType(np.ndarray, float)
    dw: str = LavaPyType(str, str)
    dd: str = LavaPyType(str, str)
    dt: str = LavaPyType(str, str)
    x1_tau: np.ndarray = LavaPyType(np.ndarray, float)
    x1_impulse: np.ndarray = LavaPyType(np.ndarray, float)
    x2_tau: np.ndarray = LavaPyType(np.ndarray, float)
    x2_impulse: np.ndarray = LavaPyType(np.ndarray, float)
    y1_tau: np.ndarray = LavaPyType(np.ndarray, float)
    y1_impulse: np.ndarray = LavaPyType(np.ndarray, float)
    y2_tau: np.ndarray = LavaPyType(np.ndarray, float)
    y2_impulse: np.ndarray = LavaPyType(np.ndarray, float)
    y3_tau: np.ndarray = LavaPyType(np.ndarray, float)
    y3_impulse: np.ndarray = LavaPyType(np.ndarray, float)

    def _create_learning_rule_applier(self, product_series):
        return LearningRuleApplierFloat(product_series)

    def _process_pre_spikes(self, s_in: np.ndarray) -> None:
        spiked = np.asarray(s_in).astype(bool)
        again = (self.tx > 0) & spiked
        cfg = self._graded_spike_cfg
        if cfg == GradedSpikeCfg.USE_REGULAR_IMPULSE:
            self.x1[again] += self._x_group.impulses[0]
        elif cfg == GradedSpikeCfg.OVERWRITE:
            self.x1[spiked] = (np.asarray(s_in) / 2)[spiked]
        else:
            self.x1 = self.x1 + np.asarray(s_in) / 2
        self.x2[again] += self._x_group.impulses[1]
        self.tx[spiked] = self._within_epoch_time_step()

    def _process_post_spikes(self, bap: np.ndarray) -> None:
        self.y0[bap] = True
        again = (self.ty > 0) & bap
        y = self._y_traces()
        y[:, again] += self._y_group.impulses[:, np.newaxis]
        self.y1, self.y2, self.y3 = y[0], y[1], y[2]
        self.ty[bap] = self._within_epoch_time_step()

    def _compute_trace_histories(self) -> ty.Tuple[np.ndarray, np.ndarray]:
        t_epoch = self._learning_rule.t_epoch
        return (traces.history_float(self._x_traces(), self._x_group, np.asarray(self.tx),
                                     t_epoch),
                traces.history_float(self._y_traces(), self._y_group, np.asarray(self.ty),
                                     t_epoch))

    def _update_syn_var(self, name: str, values: np.ndarray, applier, args: dict):
        return synvars.update_float(name, values, applier, args, self.sign_mode)
