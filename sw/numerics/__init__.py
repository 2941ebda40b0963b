"""Fixed-point and floating-point numerics of the process library.

The single place where the equations of ``docs/numerics.md`` and
``docs/processes.md`` live: the CPU process models call these functions every step, and they are
the reference the chip's golden model and neuron microcode are checked
against. Pure numpy, vectorised, no Process objects.

Modules:

- :mod:`.weights`: sign modes and the weight preparation of Dense-like
  connections (clip to 8 bits, truncate to ``num_weight_bits``).
- :mod:`.lif`: LIF, LIFReset and LIFRefractory steps, fixed and floating point.
- :mod:`.dense`: the synaptic accumulate and the ``weight_exp`` shift of
  Dense, Sparse and DelayDense.
"""
from .weights import (SignMode, determine_sign_mode, clip_weights,
                      truncate_weights, prepare_weights, WEIGHT_BITS,
                      WEIGHT_EXP_MIN, WEIGHT_EXP_MAX)
from .lif import (trunc_shr, effective_bias, effective_vth, lif_fixed_step,
                  lif_float_step, lif_refractory_fixed_step,
                  lif_refractory_float_step, is_reset_step,
                  check_lif_fixed_params, UV_BITS, UV_MAX, V_LIMIT,
                  DECAY_SHIFT, DECAY_UNITY, ACT_SHIFT, VTH_SHIFT)
from .dense import (accumulate, accumulate_delayed, scale_accum, scale_graded_accum, scale_sum,
                    delay_weight_stack,
                    delay_dense_step, MAX_DELAY)

__all__ = [
    "SignMode", "determine_sign_mode", "clip_weights", "truncate_weights",
    "prepare_weights", "WEIGHT_BITS", "WEIGHT_EXP_MIN", "WEIGHT_EXP_MAX",
    "trunc_shr", "effective_bias", "effective_vth", "lif_fixed_step",
    "lif_float_step", "lif_refractory_fixed_step", "lif_refractory_float_step",
    "is_reset_step", "check_lif_fixed_params", "UV_BITS", "UV_MAX", "V_LIMIT",
    "DECAY_SHIFT", "DECAY_UNITY", "ACT_SHIFT", "VTH_SHIFT",
    "accumulate", "accumulate_delayed", "scale_accum", "scale_graded_accum", "scale_sum",
    "delay_dense_step",
    "delay_weight_stack",
    "MAX_DELAY",
]

# --- graded and sigma-delta neurons (GradedVec, GradedReluVec, SigmaDelta) ---
from .graded import (PAYLOAD_BITS, PAYLOAD_MIN, PAYLOAD_MAX,  # noqa: E402
                     GRADED_VTH_MAX, abs32, graded_fixed_step,
                     graded_float_step, check_payloads)
from .sdn import (SDN_VTH_MAX, SDN_BIAS_MIN, SDN_BIAS_MAX, SDN_EXP_MAX,  # noqa: E402
                  sigma_delta_fixed_step, sigma_delta_float_step)

__all__ += [
    "PAYLOAD_BITS", "PAYLOAD_MIN", "PAYLOAD_MAX", "GRADED_VTH_MAX", "abs32",
    "graded_fixed_step", "graded_float_step", "check_payloads",
    "SDN_VTH_MAX", "SDN_BIAS_MIN", "SDN_BIAS_MAX", "SDN_EXP_MAX",
    "sigma_delta_fixed_step", "sigma_delta_float_step",
]
