"""The Vars and ports plastic connections and learning neurons add (lava-nc 0.10 names).

``LearningConnectionProcess`` is mixed in front of a connection Process
(``LearningDense(LearningConnectionProcess, Dense)``); ``LearningNeuronProcess`` in
front of a neuron Process (``LearningLIF(LearningNeuronProcess, AbstractLIF)``).
Both take the learning rule (a :class:`kilauea.learning.LoihiLearningRule`) and keep
it in ``proc_params["learning_rule"]`` for the models.
"""
from __future__ import annotations

import typing as ty

from ...learning import GradedSpikeCfg, LoihiLearningRule
from ...core.variable import check_shape
from .._api import AbstractProcess, InPort, OutPort, Var

#: Vars holding the rule's trace parameters, one value each.
TRACE_PARAM_VARS = ("x1_tau", "x1_impulse", "x2_tau", "x2_impulse", "y1_tau",
                    "y1_impulse", "y2_tau", "y2_impulse", "y3_tau", "y3_impulse")


def check_learning_rule(proc: str, learning_rule) -> LoihiLearningRule:
    """A learning process needs a LoihiLearningRule (Loihi2F or Loihi3F)."""
    if not isinstance(learning_rule, LoihiLearningRule):
        raise TypeError(f"{proc} 'learning_rule' must be a LoihiLearningRule (e.g. "
                        f"Loihi2FLearningRule, STDPLoihi), got {learning_rule!r}")
    return learning_rule


def check_graded_spike_cfg(proc: str, cfg) -> GradedSpikeCfg:
    """``graded_spike_cfg`` must be one of GradedSpikeCfg's four values."""
    try:
        return GradedSpikeCfg(cfg)
    except ValueError:
        raise ValueError(f"{proc} 'graded_spike_cfg' must be a GradedSpikeCfg "
                         f"({', '.join(m.name for m in GradedSpikeCfg)}), got {cfg!r}") from None


class LearningConnectionProcess(AbstractProcess):
    """Base of plastic connection Processes (``shape = (n_post, n_pre)``).

    Ports: ``s_in_bap`` (the targets' spikes, back-propagated), ``s_in_y1``,
    ``s_in_y2``, ``s_in_y3`` (the targets' y traces, read with a Loihi3FLearningRule).
    Vars: ``x0``, ``tx`` (within-epoch spike time, 0: none), ``x1``, ``x2`` per source;
    ``y0``, ``ty``, ``y1``, ``y2``, ``y3`` per target; ``tag_1`` (tag), ``tag_2``
    (delay; learned, not applied to the spikes) per synapse; ``dw``, ``dd``, ``dt`` (the
    rule's strings) and the taus and impulses of the five traces.
    """

    def __init__(self, shape: tuple, learning_rule: ty.Optional[LoihiLearningRule],
                 **kwargs) -> None:
        rule = check_learning_rule(type(self).__name__, learning_rule)
        kwargs["learning_rule"] = rule
        kwargs["shape"] = shape
        self._learning_rule = rule
        n_post, n_pre = shape[0], shape[-1]
        self.s_in_bap = InPort(shape=(n_post,))
        self.s_in_y1 = InPort(shape=(n_post,))
        self.s_in_y2 = InPort(shape=(n_post,))
        self.s_in_y3 = InPort(shape=(n_post,))
        for name in ("x0", "tx", "x1", "x2"):
            setattr(self, name, Var(shape=(n_pre,), init=0))
        for name in ("y0", "ty", "y1", "y2", "y3"):
            setattr(self, name, Var(shape=(n_post,), init=0))
        self.tag_1 = Var(shape=shape, init=kwargs.get("tag_1", 0))
        self.tag_2 = Var(shape=shape, init=kwargs.get("tag_2", 0))
        self.dw = Var(shape=(256,), init=rule.dw_str)
        self.dd = Var(shape=(256,), init=rule.dd_str)
        self.dt = Var(shape=(256,), init=rule.dt_str)
        for name in TRACE_PARAM_VARS:
            setattr(self, name, Var(shape=(1,), init=getattr(rule, name)))
        super().__init__(**kwargs)


class LearningNeuronProcess:
    """Mixin of plastic neuron Processes: the ports and Vars a neuron offers to the
    plastic connections it targets.

    Ports: ``a_third_factor_in`` (a third factor, e.g. a reward), ``s_out_bap``
    (back-propagated spikes), ``s_out_y1``, ``s_out_y2``, ``s_out_y3`` (graded y
    traces). Vars: ``y1``, ``y2``, ``y3``. ``learning_rule`` (and ``shape``) go to
    ``proc_params``.
    """

    def __init__(self, shape: ty.Tuple[int, ...], learning_rule, *args, **kwargs) -> None:
        shape = check_shape(type(self).__name__, shape)
        kwargs["shape"] = shape
        kwargs["learning_rule"] = learning_rule
        n = shape[0]
        self.a_third_factor_in = InPort(shape=(n,))
        self.s_out_bap = OutPort(shape=(n,))
        self.s_out_y1 = OutPort(shape=(n,))
        self.s_out_y2 = OutPort(shape=(n,))
        self.s_out_y3 = OutPort(shape=(n,))
        self.y1 = Var(shape=shape, init=0)
        self.y2 = Var(shape=shape, init=0)
        self.y3 = Var(shape=shape, init=0)
        super().__init__(*args, **kwargs)
