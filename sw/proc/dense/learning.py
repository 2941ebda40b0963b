"""LearningDense: Dense connections whose weights (and tags) a learning rule changes.

The spiking behaviour is Dense's (``a_out = weights @ s_in``, one step late); the
learning is :class:`kilauea.proc.plastic.process.LearningConnectionProcess`'s. Models:
:mod:`.learning_models`; how a plastic connection steps: ``docs/learning.md``.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from ...learning import GradedSpikeCfg, LoihiLearningRule
from ..plastic.process import (LearningConnectionProcess, check_graded_spike_cfg,
                               check_learning_rule)
from .._api import LogConfig
from .process import Dense


def prepare_learning_kwargs(proc: str, learning_rule, graded_spike_cfg) -> GradedSpikeCfg:
    """Shared checks of LearningDense and LearningSparse. As in lava-nc, a graded
    ``graded_spike_cfg`` sets the rule's ``x1_impulse`` to 0 (the payload feeds x1)."""
    check_learning_rule(proc, learning_rule)
    cfg = check_graded_spike_cfg(proc, graded_spike_cfg)
    if cfg != GradedSpikeCfg.USE_REGULAR_IMPULSE:
        learning_rule.x1_impulse = 0
    return cfg


class LearningDense(LearningConnectionProcess, Dense):
    """Dense connections with on-line learning.

    Parameters (besides Dense's ``weights``, ``weight_exp``, ``num_weight_bits``,
    ``sign_mode``, ``num_message_bits``, ``name``, ``log_config``)
    ----------
    learning_rule : LoihiLearningRule
        The rule (e.g. ``STDPLoihi``, ``Loihi2FLearningRule``, ``Loihi3FLearningRule``).
    tag_1, tag_2 : numpy.ndarray, optional
        Initial tag and delay of each synapse (default 0), shape of ``weights``.
    graded_spike_cfg : GradedSpikeCfg, optional
        What a graded input spike does to the pre-synaptic trace x1:
        USE_REGULAR_IMPULSE (default: a spike, the rule's impulse), OVERWRITE
        (x1 = payload / 2), ADD_WITH_SATURATION (x1 += payload / 2, at most 127),
        ADD_WITHOUT_SATURATION (x1 += payload / 2, keeping the overflow above 127; only
        an overflowing spike counts as a spike). The fixed-point model rounds payload / 2
        to 8 bits; the float model adds it unbounded in both ADD modes.

    Vars and ports: Dense's plus LearningConnectionProcess's. In fixed point the
    first step truncates the weights to ``num_weight_bits`` (sign mode default MIXED);
    the learned weights are 8 bits of magnitude.
    """

    def __init__(self, *, weights: np.ndarray, tag_2: ty.Optional[np.ndarray] = None,
                 tag_1: ty.Optional[np.ndarray] = None, name: ty.Optional[str] = None,
                 num_message_bits: ty.Optional[int] = 0,
                 log_config: ty.Optional[LogConfig] = None,
                 learning_rule: LoihiLearningRule = None,
                 graded_spike_cfg: GradedSpikeCfg = GradedSpikeCfg.USE_REGULAR_IMPULSE,
                 **kwargs) -> None:
        weights = np.asarray(weights)
        cfg = prepare_learning_kwargs("LearningDense", learning_rule, graded_spike_cfg)
        super().__init__(weights=weights, tag_2=tag_2, tag_1=tag_1, shape=weights.shape,
                         name=name, num_message_bits=num_message_bits,
                         log_config=log_config, learning_rule=learning_rule,
                         graded_spike_cfg=cfg, **kwargs)
        self.tag_2.init = _tag_init("LearningDense", "tag_2", tag_2, weights.shape)
        self.tag_1.init = _tag_init("LearningDense", "tag_1", tag_1, weights.shape)


def _tag_init(proc: str, name: str, value, shape: tuple) -> np.ndarray:
    """A tag's initial values: zeros by default, else an array of the weights' shape."""
    if value is None:
        return np.zeros(shape)
    value = np.array(value)
    if value.shape != shape:
        raise ValueError(f"{proc} '{name}' must have the weights' shape {shape}, "
                         f"got {value.shape}")
    return value
