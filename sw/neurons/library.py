"""The neuron programs of the fixed-point models of `docs/processes.md`.

Each function returns a `NeuronProgram` for a number of accumulator groups
(one per incoming projection that needs its own flooring; group g is
shifted by the profile constant `weight_exp{g}`). Names of state words,
parameters and profile constants match the Lava Vars they hold; every word
holds the Var's raw value (derived constants such as `vth << 6` or
`4095 - du` are computed by the program), so `Var.get`/`set` is one word.

    lif            LIF (and IF: du=4095, dv=0)   state u, v; params bias_mant, bias_exp; consts du, dv, vth
    lif_reset      LIFReset                      + consts reset_interval, reset_phase (= reset_offset % reset_interval)
    lif_refractory LIFRefractory                 + state refractory_end; const refractory_period
    graded_vec     GradedVec                     state v; const vth
    graded_relu_vec GradedReluVec                state v; const vth
    sigma_delta    SigmaDelta (UNIT/RELU, cum_error) state sigma, act, residue, error;
                                                 param bias; consts vth, state_exp
    sigma          Sigma (graded)                state sigma
    delta          Delta (graded; cum_error)     state act, residue, error; consts vth, state_exp, in_shift
    ternary_lif    TernaryLIF (graded +1/-1)     state u, v; params bias_mant, bias_exp;
                                                 consts du, dv, vth_hi, vth_lo
"""
from __future__ import annotations

from ..hw import fixed_point as fp
from .builder import NeuronProgram, ProgramBuilder, Val

__all__ = ["lif", "lif_reset", "lif_refractory", "graded_vec", "graded_relu_vec",
           "sigma_delta", "ternary_lif", "sigma", "delta", "PROGRAMS"]


def _lif_uv_decls(b: ProgramBuilder) -> None:
    """State u, v; params bias_mant, bias_exp; consts du, dv (LIF and TernaryLIF)."""
    b.declare_state("u")
    b.declare_state("v", lo=-fp.V_LIMIT, hi=fp.V_LIMIT)
    b.declare_param("bias_mant", lo=fp.BIAS_MANT.lo, hi=fp.BIAS_MANT.hi)
    b.declare_param("bias_exp", lo=fp.BIAS_EXP.lo, hi=fp.BIAS_EXP.hi)
    b.declare_const("du", lo=fp.DU.lo, hi=fp.DU.hi)
    b.declare_const("dv", lo=fp.DV.lo, hi=fp.DV.hi)


def _lif_decls(b: ProgramBuilder) -> None:
    _lif_uv_decls(b)
    b.declare_const("vth", lo=fp.VTH.lo, hi=fp.VTH.hi)


def _lif_current(b: ProgramBuilder, u: Val) -> Val:
    """u' = wrap24(trunc_shr(u * (4095 - du), 12) + (a_in << 6)); stores u."""
    u = b.mul_tshr(u, (fp.DECAY_ONE - fp.DU_OFFSET) - b.const("du"), fp.DECAY_BITS)
    u = b.wrap(u + (b.input() << fp.ACT_SHIFT), fp.STATE_BITS)
    b.store("u", u)
    return u


def _lif_voltage(b: ProgramBuilder, v: Val, u: Val) -> Val:
    """sat24(trunc_shr(v * (4096 - dv), 12) + u' + effective_bias)."""
    v = b.mul_tshr(v, fp.DECAY_ONE - b.const("dv"), fp.DECAY_BITS) + u
    v = v + b.ash(b.param("bias_mant"), b.param("bias_exp"))
    return b.sat(v, fp.STATE_BITS)


def _lif_fire(b: ProgramBuilder, v: Val) -> Val:
    """spike = v > vth << 6; v = 0 where spiking; stores v; emits."""
    fire = v > (b.const("vth") << fp.VTH_SHIFT)
    b.store("v", b.select(fire, b.zero, v))
    b.spike(fire)
    return fire


def lif(n_groups: int = 1) -> NeuronProgram:
    b = ProgramBuilder("lif", n_groups)
    _lif_decls(b)
    u = _lif_current(b, b.state("u"))
    _lif_fire(b, _lif_voltage(b, b.state("v"), u))
    return b.build(doc="LIF, fixed point (IF: du=4095, dv=0)")


def _reset_derive(values: dict) -> dict:
    """reset_interval, reset_offset (Lava's arguments) -> the profile words
    reset_interval and reset_phase = reset_offset % reset_interval."""
    values = dict(values)
    interval = int(values.pop("reset_interval", 1))
    if interval < 1:
        raise ValueError(f"lif_reset: reset_interval={interval} must be >= 1")
    values["reset_interval"] = interval
    if "reset_offset" in values:
        if "reset_phase" in values:
            raise ValueError("lif_reset: give reset_offset or reset_phase, not both")
        values["reset_phase"] = int(values.pop("reset_offset")) % interval
    else:
        values["reset_phase"] = int(values.get("reset_phase", 0)) % interval
    return values


def lif_reset(n_groups: int = 1) -> NeuronProgram:
    b = ProgramBuilder("lif_reset", n_groups)
    _lif_decls(b)
    b.declare_const("reset_interval", lo=1, default=1)
    b.declare_const("reset_phase", lo=0)
    # time_step % reset_interval == reset_offset % reset_interval -> u = v = 0
    hit = b.mod(b.step(), b.const("reset_interval")) == b.const("reset_phase")
    u = b.select(hit, b.zero, b.state("u"))
    u = _lif_current(b, u)
    v = b.select(hit, b.zero, b.state("v"))
    _lif_fire(b, _lif_voltage(b, v, u))
    prog = b.build(derive=_reset_derive, doc="LIFReset: LIF with a periodic reset of u and v")
    return prog


def lif_refractory(n_groups: int = 1) -> NeuronProgram:
    b = ProgramBuilder("lif_refractory", n_groups)
    _lif_decls(b)
    b.declare_state("refractory_end")
    b.declare_const("refractory_period", lo=0, default=1)
    u = _lif_current(b, b.state("u"))
    t = b.step()
    rend = b.state("refractory_end")
    active = t > rend                              # refractory_end < time_step
    v_old = b.state("v")
    v = b.select(active, _lif_voltage(b, v_old, u), v_old)
    fire = v > (b.const("vth") << fp.VTH_SHIFT)
    b.store("v", b.select(fire, b.zero, v))
    b.store("refractory_end", b.select(fire, t + b.const("refractory_period"), rend))
    b.spike(fire)
    return b.build(doc="LIFRefractory: v frozen until refractory_end < time_step")


def _graded(name: str, absolute: bool, n_groups: int) -> NeuronProgram:
    b = ProgramBuilder(name, n_groups)
    b.declare_state("v")
    b.declare_const("vth", lo=fp.GRADED_VTH.lo, hi=fp.GRADED_VTH.hi)
    v = b.state("v") + b.input()
    fire = (b.abs(v) if absolute else v) > b.const("vth")
    b.spike(fire, payload=v)
    b.store("v", b.zero)
    return b.build(doc=f"{name}: v += a_in; graded spike v where {'|v|' if absolute else 'v'} > vth; v = 0")


def graded_vec(n_groups: int = 1) -> NeuronProgram:
    return _graded("graded_vec", True, n_groups)


def graded_relu_vec(n_groups: int = 1) -> NeuronProgram:
    return _graded("graded_relu_vec", False, n_groups)


def sigma_delta(n_groups: int = 1, act_mode: str = "unit", cum_error: bool = False) -> NeuronProgram:
    act_mode = act_mode.lower()
    if act_mode not in ("unit", "relu"):
        raise ValueError(f"sigma_delta: act_mode {act_mode!r} must be 'unit' or 'relu'")
    b = ProgramBuilder(f"sigma_delta_{act_mode}{'_cum' if cum_error else ''}", n_groups)
    b.declare_state("sigma")
    b.declare_state("act")
    b.declare_state("residue")
    b.declare_state("error")
    b.declare_param("bias")
    b.declare_const("vth", lo=0)
    b.declare_const("state_exp", lo=fp.SDN_EXP.lo, hi=fp.SDN_EXP.hi)
    sigma = b.state("sigma") + b.input()
    b.store("sigma", sigma)
    act = sigma + b.param("bias")
    if act_mode == "relu":
        act = b.max(act, 0)
    delta = act - b.state("act") + b.state("residue")
    b.store("act", act)
    vth = b.const("vth")
    if cum_error:
        err = b.state("error") + delta
        s = b.select(b.abs(err) >= vth, delta, b.zero)
        b.store("error", b.select(s, b.zero, err))     # error = 0 where s != 0
    else:
        s = b.select(b.abs(delta) >= vth, delta, b.zero)
    b.store("residue", delta - s)
    s_out = b.shr(s, b.const("state_exp"))
    b.spike(s_out, payload=s_out)          # fires where s_out != 0
    return b.build(doc="SigmaDelta: graded spike shr(s, state_exp) where it is non-zero")


def ternary_lif(n_groups: int = 1) -> NeuronProgram:
    """TernaryLIF: LIF's u and v; graded spike +1 where v > vth_hi << 6,
    -1 where v < vth_lo << 6; v = 0 on either."""
    b = ProgramBuilder("ternary_lif", n_groups)
    _lif_uv_decls(b)
    b.declare_const("vth_hi", lo=fp.TERNARY_VTH.lo, hi=fp.TERNARY_VTH.hi, default=10)
    b.declare_const("vth_lo", lo=fp.TERNARY_VTH.lo, hi=fp.TERNARY_VTH.hi, default=-10)
    u = _lif_current(b, b.state("u"))
    v = _lif_voltage(b, b.state("v"), u)
    s = ((v > (b.const("vth_hi") << fp.VTH_SHIFT))
         - (v < (b.const("vth_lo") << fp.VTH_SHIFT)))
    b.store("v", b.select(s, b.zero, v))
    b.spike(s, payload=s)                   # fires where s != 0
    return b.build(doc="TernaryLIF: graded spike +1 / -1 at vth_hi / vth_lo; v = 0 on a spike")


def sigma(n_groups: int = 1) -> NeuronProgram:
    """Sigma: sigma += a_in (32-bit wrap); graded spike sigma where it is non-zero."""
    b = ProgramBuilder("sigma", n_groups)
    b.declare_state("sigma")
    s = b.state("sigma") + b.input()
    b.store("sigma", s)
    b.spike(s, payload=s)
    return b.build(doc="Sigma: sigma += a_in; graded spike sigma where non-zero")


def delta(n_groups: int = 1, cum_error: bool = False) -> NeuronProgram:
    """Delta: a = a_in << in_shift (in_shift = spike_exp + state_exp);
    delta = a - act + residue; s = delta where |delta| (cum_error: |error|)
    >= vth; residue = delta - s; act = a; graded spike shr(s, state_exp)
    where non-zero."""
    b = ProgramBuilder(f"delta{'_cum' if cum_error else ''}", n_groups)
    b.declare_state("act")
    b.declare_state("residue")
    b.declare_state("error")
    b.declare_const("vth", lo=0)
    b.declare_const("state_exp", lo=fp.SDN_EXP.lo, hi=fp.SDN_EXP.hi)
    b.declare_const("in_shift", lo=0, hi=31)
    a = b.shl(b.input(), b.const("in_shift"))
    dlt = a - b.state("act") + b.state("residue")
    b.store("act", a)
    vth = b.const("vth")
    if cum_error:
        err = b.state("error") + dlt
        s = b.select(b.abs(err) >= vth, dlt, b.zero)
        b.store("error", b.select(s, b.zero, err))
    else:
        s = b.select(b.abs(dlt) >= vth, dlt, b.zero)
    b.store("residue", dlt - s)
    s_out = b.shr(s, b.const("state_exp"))
    b.spike(s_out, payload=s_out)
    return b.build(doc="Delta: graded spike shr(s, state_exp) where it is non-zero")


PROGRAMS = {
    "lif": lif,
    "lif_reset": lif_reset,
    "lif_refractory": lif_refractory,
    "graded_vec": graded_vec,
    "graded_relu_vec": graded_relu_vec,
    "sigma_delta": sigma_delta,
    "ternary_lif": ternary_lif,
    "sigma": sigma,
    "delta": delta,
}
