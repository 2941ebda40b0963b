"""Ready-made learning rules: pair-based STDP and reward-modulated STDP.

Both write their rate parameters into the rule string with
`float_to_literal` (so a rate is rounded to ``m * 2**e``, docs/learning.md,
"Literals from numbers"), as lava-nc's `lava.proc.learning_rules` does.
"""
from __future__ import annotations

from .learning_rule import Loihi2FLearningRule, Loihi3FLearningRule
from .utils import float_to_literal

__all__ = ["STDPLoihi", "RewardModulatedSTDP"]


class STDPLoihi(Loihi2FLearningRule):
    """Pair-based STDP (Gerstner et al. 1996) as a two-factor rule:

        dw = learning_rate * A_minus * x0 * y1 + learning_rate * A_plus * y0 * x1

    A pre-synaptic spike (x0) changes the weight by the post-synaptic trace y1
    (decay `tau_minus`) times `A_minus`; a post-synaptic spike (y0) by the
    pre-synaptic trace x1 (decay `tau_plus`) times `A_plus`. Both trace
    impulses default to 16 (``x1_impulse=``, ``y1_impulse=`` override them);
    other keyword arguments (``t_epoch``, ``rng_seed``, ...) go to the rule."""

    def __init__(self, learning_rate: float, A_plus: float, A_minus: float,
                 tau_plus: float, tau_minus: float, *args, **kwargs) -> None:
        self.learning_rate = float_to_literal(learning_rate)
        self.A_plus = float_to_literal(A_plus)
        self.A_minus = float_to_literal(A_minus)
        self.tau_plus = tau_plus
        self.tau_minus = tau_minus
        dw = (f"{self.learning_rate} * {self.A_minus} * x0 * y1 +"
              f"{self.learning_rate} * {self.A_plus} * y0 * x1")
        x1_impulse = kwargs.pop("x1_impulse", 16)
        y1_impulse = kwargs.pop("y1_impulse", 16)
        super().__init__(*args, dw=dw, x1_impulse=x1_impulse, x1_tau=tau_plus,
                         y1_impulse=y1_impulse, y1_tau=tau_minus, **kwargs)


class RewardModulatedSTDP(Loihi3FLearningRule):
    """Reward-modulated STDP (Frémaux and Gerstner 2016) as a three-factor rule.

    The tag t is the eligibility trace, decaying once per epoch::

        dt = learning_rate * A_minus * x0 * y1 + learning_rate * A_plus * y0 * x1
             - u0 * t * eligibility_trace_decay_tau
        dw = u0 * t * y2

    The post-synaptic neuron supplies y1 (its spike trace) and y2 (the reward,
    the third factor); `pre_trace_kernel_magnitude` and `pre_trace_decay_tau` are
    x1's impulse and tau. `post_trace_*` are kept for the neuron's side."""

    def __init__(self, learning_rate: float, A_plus: float, A_minus: float,
                 pre_trace_decay_tau: float, post_trace_decay_tau: float,
                 pre_trace_kernel_magnitude: float, post_trace_kernel_magnitude: float,
                 eligibility_trace_decay_tau: float, *args, **kwargs) -> None:
        self.learning_rate = float_to_literal(learning_rate)
        self.A_plus = float_to_literal(A_plus)
        self.A_minus = float_to_literal(A_minus)
        self.pre_trace_decay_tau = pre_trace_decay_tau
        self.post_trace_decay_tau = post_trace_decay_tau
        self.pre_trace_kernel_magnitude = pre_trace_kernel_magnitude
        self.post_trace_kernel_magnitude = post_trace_kernel_magnitude
        self.eligibility_trace_decay_tau = float_to_literal(eligibility_trace_decay_tau)
        dt = (f"{self.learning_rate} * {self.A_minus} * x0 * y1 + "
              f"{self.learning_rate} * {self.A_plus} * y0 * x1 - "
              f"u0 * t * {self.eligibility_trace_decay_tau}")
        dw = " u0 * t * y2 "
        super().__init__(*args, dw=dw, dt=dt, x1_impulse=pre_trace_kernel_magnitude,
                         x1_tau=pre_trace_decay_tau, **kwargs)
