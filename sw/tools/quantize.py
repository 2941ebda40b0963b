"""Quantisation: convert a floating-point LIF / Dense network to fixed point.

The chip runs the fixed-point models (docs/numerics.md) only. A network
written with float parameters (Lava's tutorial values: ``du=0.1``,
``vth=10.``, weights in [0, 1)) is converted here, in place, and the error
introduced is reported::

    import kilauea
    report = kilauea.quantize(root, num_steps=100)   # root: any process of the network
    print(report)

Method. Fixed-point LIF state is float state times a scale ``S`` chosen per
population (``u_fx = S * u``, ``v_fx = S * v``), so for a population
receiving float input ``a_in``::

    du_fx      = round(4096 * du) - 1          (the spec's hidden +1 on du)
    dv_fx      = round(4096 * dv)
    vth_fx     = round(vth * S / 64)           (compared as vth << 6)
    bias_mant * 2**bias_exp = round(bias * S)  (bias_exp the smallest >= 0
                                                that fits 13 bits)
    W_fx * 2**weight_exp    = W * S / 64       (a_in enters u as a_in << 6)

``S`` puts the threshold at ``vth_target`` (default 4096, i.e. ``vth << 6 =
2**18``, leaving 32x headroom below the 24-bit limit of u and v); each
connection into the population gets the ``weight_exp`` (-8..7) that lets its
largest weight use the 8-bit weight range (even values for MIXED matrices,
whose lowest bit the fixed-point model truncates). Spikes are binary, so
the source's scale does not matter.

Error report: per parameter, the largest absolute and relative error of the
value the fixed-point model actually uses (weights after
`kilauea.numerics.prepare_weights`), in float units; and, with
``num_steps > 0``, a side-by-side simulation of the float and the fixed
network with `kilauea.numerics` (host RingBuffer sources included; other host
inputs are taken as zero and listed in the warnings): spike counts per
population, the fraction of (step, neuron) pairs whose spike differs, and
the RMS error of ``v`` in float units.

Supported: LIF, LIFReset, LIFRefractory populations; Dense, Sparse,
DelayDense with binary input (``num_message_bits = 0``) from LIF spikes or
host sources. Anything else is left as it is and named in the warnings.
Parameters with no faithful fixed-point form are rejected (``ValueError``
naming the process and the parameter, before anything is changed): NaN or
infinity anywhere, ``du`` or ``dv`` outside [0, 1], ``vth <= 0``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from .. import numerics as nx
from ..hw import fixed_point as fp
from ..core.run_configs import CpuSimCfg
from ..proc.dense.process import Dense, DelayDense
from ..proc.io import source as io_source
from ..proc.lif.process import AbstractLIF, LIFRefractory, LIFReset
from ..proc.sparse.process import Sparse
from ..runtime.builder import build_network

__all__ = ["quantize", "QuantizeReport", "ParamError"]

_CONNS = (Dense, Sparse)          # DelayDense is a Dense

#: a_in and vth enter u / v shifted left by ACT_SHIFT = VTH_SHIFT bits (x 64).
_IN_SCALE = float(1 << fp.ACT_SHIFT)


@dataclass
class ParamError:
    """The error of one quantised parameter, in float units."""
    process: str
    parameter: str
    max_abs: float
    max_rel: float


@dataclass
class QuantizeReport:
    scales: dict[str, float]                      # population -> S
    weight_exps: dict[str, int]                   # connection -> weight_exp
    errors: list[ParamError]
    num_steps: int = 0
    spikes_float: dict[str, int] = field(default_factory=dict)
    spikes_fixed: dict[str, int] = field(default_factory=dict)
    spike_mismatch: dict[str, float] = field(default_factory=dict)
    v_rms_error: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def error(self, process: str, parameter: str) -> ParamError:
        for e in self.errors:
            if e.process == process and e.parameter == parameter:
                return e
        raise KeyError((process, parameter))

    def __str__(self) -> str:
        lines = ["kilauea quantisation report"]
        for name, s in self.scales.items():
            lines.append(f"  population {name}: scale S = {s:.6g} (fixed = S * float)")
        for name, e in self.weight_exps.items():
            lines.append(f"  connection {name}: weight_exp = {e}")
        lines.append(f"  {'process':<16} {'parameter':<12} {'max abs err':>12} {'max rel err':>12}")
        for e in self.errors:
            lines.append(f"  {e.process:<16} {e.parameter:<12} {e.max_abs:>12.4g} {e.max_rel:>12.3%}")
        if self.num_steps:
            lines.append(f"  simulated {self.num_steps} steps (float vs fixed):")
            for name in self.spikes_float:
                lines.append(f"    {name}: spikes {self.spikes_float[name]} vs "
                             f"{self.spikes_fixed[name]}, differing (step, neuron) pairs "
                             f"{self.spike_mismatch[name]:.2%}, v RMS error "
                             f"{self.v_rms_error[name]:.4g}")
        lines += [f"  warning: {w}" for w in self.warnings]
        return "\n".join(lines)


def _arr(proc, name) -> np.ndarray:
    return np.asarray(getattr(proc, name).init_value(), dtype=np.float64)


def _scalar(proc, name) -> float:
    return float(_arr(proc, name).reshape(-1)[0])


def _dense_weights(conn) -> np.ndarray:
    w = getattr(conn, "weights").init_value()
    return np.asarray(w.toarray() if sparse.issparse(w) else w, dtype=np.float64)


def _rel(err, ref):
    ref = np.abs(np.asarray(ref, dtype=np.float64))
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(ref > 0, np.abs(err) / np.where(ref > 0, ref, 1), 0.0)
    return float(r.max()) if r.size else 0.0


def _err(proc, name, want, got) -> ParamError:
    want, got = np.asarray(want, dtype=np.float64), np.asarray(got, dtype=np.float64)
    d = got - want
    return ParamError(proc.name, name, float(np.abs(d).max()) if d.size else 0.0, _rel(d, want))


def _check_finite(pops, conns) -> None:
    """NaN or infinite values have no fixed-point form: error."""
    checks = [(p, n) for p in pops for n in ("u", "v", "du", "dv", "vth", "bias_mant")]
    checks += [(c, "weights") for c in conns]
    for proc, name in checks:
        val = _dense_weights(proc) if name == "weights" else _arr(proc, name)
        if not np.all(np.isfinite(val)):
            raise ValueError(f"quantize: process '{proc.name}': parameter '{name}' holds "
                             f"non-finite values (NaN or infinity)")


def _check_ranges(pops) -> None:
    """Float parameters outside the float model's meaningful range (decays
    outside [0, 1], a threshold <= 0) have no faithful fixed-point form:
    error, before anything is changed."""
    for p in pops:
        for name in ("du", "dv"):
            x = _scalar(p, name)
            if not 0.0 <= x <= 1.0:
                raise ValueError(f"quantize: process '{p.name}': parameter '{name}' = {x} "
                                 f"lies outside the float model's range [0, 1] (a decay "
                                 f"per step); nothing was changed")
        x = _scalar(p, "vth")
        if not x > 0.0:
            raise ValueError(f"quantize: process '{p.name}': parameter 'vth' = {x} must be "
                             f"> 0 (the float threshold); nothing was changed")


def _graph(root):
    net = build_network(root, CpuSimCfg())
    pops = [lf.proc for lf in net.leaves if isinstance(lf.proc, AbstractLIF)]
    conns = [lf.proc for lf in net.leaves if isinstance(lf.proc, _CONNS)]
    return net, pops, conns


def quantize(root, num_steps: int = 100, vth_target: int = 4096) -> QuantizeReport:
    """Convert the LIF / Dense network of `root` to fixed point, in place
    (Var values and the connections' `weight_exp`), and report the error.
    Call it before the network's first run. See the module docstring."""
    net, pops, conns = _graph(root)
    _check_finite(pops, conns)
    _check_ranges(pops)
    warnings: list[str] = []
    ids = {id(p) for p in pops} | {id(c) for c in conns}
    into: dict[int, list] = {id(p): [] for p in pops}          # pop -> [conn]
    conn_src: dict[int, list] = {id(c): [] for c in conns}     # conn -> [src proc]
    direct: list = []
    for spec in net.channels:
        s, d = spec.src.process, spec.dst.process
        if spec.transform is not None and (id(s) in ids or id(d) in ids):
            warnings.append(f"{spec.src.full_name()} -> {spec.dst.full_name()}: reshaped or "
                            f"concatenated connection not simulated")
        if isinstance(d, AbstractLIF) and isinstance(s, _CONNS):
            into[id(d)].append(s)
        elif isinstance(d, _CONNS):
            conn_src[id(d)].append(s)
        elif isinstance(d, AbstractLIF):
            direct.append((s, d))
            warnings.append(f"{spec.src.full_name()} feeds {d.name}.a_in directly: scale its "
                            f"values by S/64 of '{d.name}' yourself (not simulated)")
    before = _snapshot(pops, conns)

    scales: dict[str, float] = {}
    weight_exps: dict[str, int] = {}
    errors: list[ParamError] = []
    scale_of: dict[int, float] = {}
    for p in pops:
        s = vth_target * _IN_SCALE / _scalar(p, "vth")      # vth > 0: _check_ranges
        scale_of[id(p)] = s
        scales[p.name] = s
    conn_target: dict[int, object] = {}
    for p in pops:
        for c in into[id(p)]:
            if id(c) in conn_target and conn_target[id(c)] is not p:
                warnings.append(f"connection '{c.name}' feeds several populations; it is scaled "
                                f"for '{conn_target[id(c)].name}'")
                continue
            conn_target[id(c)] = p

    # ---- connections
    for c in conns:
        tgt = conn_target.get(id(c))
        if tgt is None:
            warnings.append(f"connection '{c.name}' feeds no LIF population: left as it is")
            continue
        if int(_arr(c, "num_message_bits").reshape(-1)[0]) > 0:
            warnings.append(f"connection '{c.name}' has graded input: its weights are scaled, "
                            f"but its input values are not")
        w = _dense_weights(c)
        want = w * scale_of[id(tgt)] / _IN_SCALE
        wmax = float(np.abs(want).max()) if want.size else 0.0
        mixed = w.min() < 0 < w.max()
        top = float(fp.WEIGHT.hi - 1 if mixed else fp.WEIGHT.hi)   # MIXED: even values
        e = int(np.clip(np.ceil(np.log2(wmax / top)) if wmax > 0 else 0,
                        nx.WEIGHT_EXP_MIN, nx.WEIGHT_EXP_MAX))
        q = want / 2.0 ** e
        wi = (2 * np.round(q / 2) if mixed else np.round(q)).astype(np.int64)
        wi = np.clip(wi, fp.WEIGHT.lo if mixed else (-fp.WEIGHT.hi if w.max() <= 0 else 0),
                     fp.WEIGHT.hi - 1 if mixed else fp.WEIGHT.hi)
        new = sparse.csr_matrix(wi) if isinstance(c, Sparse) else wi
        getattr(c, "weights").init = new
        c.proc_params.overwrite("weight_exp", e)
        c.proc_params.overwrite("num_weight_bits", nx.WEIGHT_BITS)
        weight_exps[c.name] = e
        prep = nx.prepare_weights(new, c.proc_params.get("sign_mode", None), nx.WEIGHT_BITS)
        prep = np.asarray(prep.toarray() if sparse.issparse(prep) else prep, dtype=np.float64)
        back = prep * 2.0 ** e * _IN_SCALE / scale_of[id(tgt)]
        errors.append(_err(c, "weights", w, back))

    # ---- populations
    for p in pops:
        s = scale_of[id(p)]
        du, dv, vth = _scalar(p, "du"), _scalar(p, "dv"), _scalar(p, "vth")
        du_fx = int(np.clip(round(fp.DECAY_ONE * du) - fp.DU_OFFSET, *fp.DU))
        dv_fx = int(np.clip(round(fp.DECAY_ONE * dv), *fp.DV))
        vth_fx = int(np.clip(round(vth * s / _IN_SCALE), *fp.VTH))
        b = np.broadcast_to(_arr(p, "bias_mant"), tuple(p.s_out.shape)) * s
        bexp = np.maximum(0, np.ceil(np.log2(np.maximum(np.abs(b), 1e-300) / fp.BIAS_MANT.hi))).astype(np.int64)
        bexp = np.clip(bexp, 0, fp.BIAS_EXP.hi)
        bmant = np.clip(np.round(b / 2.0 ** bexp), *fp.BIAS_MANT).astype(np.int64)
        u0 = np.round(np.broadcast_to(_arr(p, "u"), tuple(p.s_out.shape)) * s).astype(np.int64)
        v0 = np.round(np.broadcast_to(_arr(p, "v"), tuple(p.s_out.shape)) * s).astype(np.int64)
        errors += [_err(p, "du", du, (du_fx + fp.DU_OFFSET) / fp.DECAY_ONE),
                   _err(p, "dv", dv, dv_fx / fp.DECAY_ONE),
                   _err(p, "vth", vth, vth_fx * _IN_SCALE / s),
                   _err(p, "bias", b / s, bmant * 2.0 ** bexp / s)]
        for name, val in (("du", du_fx), ("dv", dv_fx), ("vth", vth_fx), ("bias_mant", bmant),
                          ("bias_exp", bexp), ("u", u0), ("v", v0)):
            getattr(p, name).init = np.asarray(val).reshape(getattr(p, name).shape) \
                if np.ndim(val) else np.full(getattr(p, name).shape, val, dtype=np.int64)
    rep = QuantizeReport(scales, weight_exps, errors, warnings=warnings)
    if num_steps > 0:
        _simulate(rep, num_steps, pops, conns, into, conn_src, before, scale_of)
    return rep


def _snapshot(pops, conns) -> dict:
    snap = {}
    for p in pops:
        snap[id(p)] = {k: _arr(p, k) for k in ("u", "v", "du", "dv", "vth", "bias_mant")}
    for c in conns:
        snap[id(c)] = {"weights": _dense_weights(c),
                       "delays": (np.asarray(c.delays.init_value(), dtype=np.int64)
                                  if isinstance(c, DelayDense) else None)}
    return snap


def _simulate(rep, n_steps, pops, conns, into, conn_src, before, scale_of) -> None:
    """Float and fixed networks side by side with kilauea.numerics."""
    n_of = {id(p): int(np.prod(p.s_out.shape)) for p in pops}
    runs = {}
    for mode in ("float", "fixed"):
        st = {}
        for p in pops:
            n = n_of[id(p)]
            if mode == "float":
                b = before[id(p)]
                st[id(p)] = dict(u=np.broadcast_to(b["u"], (n,)).astype(float).copy(),
                                 v=np.broadcast_to(b["v"], (n,)).astype(float).copy(),
                                 end=np.zeros(n), du=float(b["du"].reshape(-1)[0]),
                                 dv=float(b["dv"].reshape(-1)[0]),
                                 vth=float(b["vth"].reshape(-1)[0]),
                                 bias=np.broadcast_to(b["bias_mant"], (n,)).astype(float))
            else:
                st[id(p)] = dict(u=_arr(p, "u").reshape(-1).astype(np.int64),
                                 v=_arr(p, "v").reshape(-1).astype(np.int64),
                                 end=np.zeros(n, dtype=np.int64), du=int(_scalar(p, "du")),
                                 dv=int(_scalar(p, "dv")),
                                 vth=nx.effective_vth(int(_scalar(p, "vth"))),
                                 bias=nx.effective_bias(_arr(p, "bias_mant").reshape(-1).astype(np.int64),
                                                        _arr(p, "bias_exp").reshape(-1).astype(np.int64)))
        cw = {}
        for c in conns:
            if mode == "float":
                w = before[id(c)]["weights"]
            else:
                w = nx.prepare_weights(np.asarray(_dense_weights(c), dtype=np.int64),
                                       c.proc_params.get("sign_mode", None), nx.WEIGHT_BITS)
                w = np.asarray(w, dtype=np.int64)
            d = before[id(c)]["delays"]
            cw[id(c)] = (w, np.zeros(w.shape, dtype=np.int64) if d is None else d)
        ring = {id(c): {} for c in conns}
        spikes = {id(p): np.zeros((n_steps, n_of[id(p)]), dtype=bool) for p in pops}
        vs = {id(p): np.zeros((n_steps, n_of[id(p)])) for p in pops}
        for t in range(1, n_steps + 1):
            out = {}
            for p in pops:
                s = st[id(p)]
                a_in = sum((ring[id(c)].pop(t, 0) for c in into[id(p)]),
                           np.zeros(n_of[id(p)], dtype=float if mode == "float" else np.int64))
                if isinstance(p, LIFReset) and nx.is_reset_step(
                        t, p.proc_params["reset_interval"], p.proc_params["reset_offset"]):
                    s["u"][:], s["v"][:] = 0, 0
                if isinstance(p, LIFRefractory):
                    f = nx.lif_refractory_float_step if mode == "float" else nx.lif_refractory_fixed_step
                    u, v, end, sp = f(s["u"], s["v"], s["end"], a_in, s["du"], s["dv"], s["bias"],
                                      s["vth"], t, p.proc_params["refractory_period"])
                    s["end"] = end
                elif mode == "float":
                    u, v, sp = nx.lif_float_step(s["u"], s["v"], a_in, s["du"], s["dv"], s["bias"],
                                                 s["vth"])
                else:
                    u, v, sp = nx.lif_fixed_step(s["u"], s["v"], a_in, s["du"], s["dv"], s["bias"],
                                                 s["vth"])
                s["u"], s["v"] = np.asarray(u), np.asarray(v)
                out[id(p)] = sp
                spikes[id(p)][t - 1] = sp
                vs[id(p)][t - 1] = s["v"] if mode == "float" else s["v"] / scale_of[id(p)]
            for c in conns:
                w, d = cw[id(c)]
                s_in = np.zeros(w.shape[1], dtype=bool)
                for src in conn_src[id(c)]:
                    if id(src) in out:
                        s_in |= out[id(src)].reshape(-1)
                    elif isinstance(src, io_source.RingBuffer):
                        data = np.asarray(src.data.init)
                        s_in |= data[..., (t - 1) % data.shape[-1]].reshape(-1) != 0
                for dl in np.unique(d):
                    acc = (np.where(d == dl, w, 0)[:, s_in]).sum(axis=1)
                    if mode == "fixed":
                        acc = nx.scale_accum(acc.astype(np.int64), int(c.proc_params.get("weight_exp", 0)))
                    r = ring[id(c)]
                    r[t + 1 + int(dl)] = r.get(t + 1 + int(dl), 0) + acc
        runs[mode] = (spikes, vs)
    for c in conns:
        for src in conn_src[id(c)]:
            if not isinstance(src, (AbstractLIF, io_source.RingBuffer)):
                rep.warnings.append(f"input of '{c.name}' from '{src.name}' taken as zero in the "
                                    f"simulation")
    rep.num_steps = n_steps
    for p in pops:
        sf, vf = runs["float"][0][id(p)], runs["float"][1][id(p)]
        sx, vx = runs["fixed"][0][id(p)], runs["fixed"][1][id(p)]
        rep.spikes_float[p.name] = int(sf.sum())
        rep.spikes_fixed[p.name] = int(sx.sum())
        rep.spike_mismatch[p.name] = float((sf != sx).mean())
        rep.v_rms_error[p.name] = float(np.sqrt(np.mean((vf - vx) ** 2)))
