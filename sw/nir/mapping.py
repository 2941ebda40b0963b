"""How NIR nodes become kilauea parameters: the pure, numpy half of the importer.

Time step. NIR's neurons are differential equations; kilauea's are the
forward-Euler steps of ``docs/processes.md`` with a time step ``dt`` (the
framework's: snnTorch exports with ``dt = 1e-4``). With ``k = dt / tau``::

    NIR LIF      tau dv/dt = (v_leak - v) + r I
                 -> du = 1 (no current), dv = k,        gain = k r,       bias = k v_leak
    NIR CubaLIF  tau_syn dI/dt = -I + w_in S;  tau_mem dv/dt = (v_leak - v) + r I
                 -> du = k_syn, dv = k_mem,              gain = k_mem r k_syn w_in,  bias = k_mem v_leak
    NIR IF       dv/dt = r I
                 -> du = 1, dv = 0,                      gain = dt r,      bias = 0
    NIR LI       as LIF without a threshold (output node only, read through ``v``)
    NIR Threshold  z = H(x - threshold)
                 -> du = 1, dv = 1,  vth = max(threshold), gain = 1,       bias = vth - threshold

``gain`` multiplies the rows of the incoming weights (kilauea's ``u`` is
NIR's ``k_mem r I``); the affine ``bias`` of a neuron's input is a constant
input ``gain * bias`` into ``u`` (the bias path of ``NirNetwork``), and
``v_leak`` the neuron's own bias. Linear nodes (Affine, Linear, Scale,
Flatten, Conv1d, Conv2d, SumPool2d, AvgPool2d) between two neuron nodes
compose into one weight matrix (``Flatten`` is the identity on C-order
indices; convolutions and pooling are unrolled, ``kilauea.nir.unroll``).
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

import numpy as np

from .linear import LinearMap
from .unroll import conv_map

__all__ = ["Reset", "NeuronParams", "LinearMap", "neuron_params", "linear_map",
           "NEURON_TYPES", "LINEAR_TYPES"]

#: NIR node class names mapped to kilauea neurons / to weight matrices.
NEURON_TYPES = ("LIF", "CubaLIF", "IF", "LI", "Threshold")
CONV_TYPES = ("Conv1d", "Conv2d", "SumPool2d", "AvgPool2d")
LINEAR_TYPES = ("Affine", "Linear", "Scale", "Flatten") + CONV_TYPES


class Reset(enum.Enum):
    """What a spike does to ``v`` (NIR leaves it to the framework)."""
    #: ``v = 0`` after the spike (Lava's LIF, snnTorch ``reset_mechanism="zero"``, Norse):
    #: kilauea ``LIF``.
    ZERO = "zero"
    #: ``vth`` subtracted at the next step (snnTorch's default): ``LIFSubtract``.
    SUBTRACT = "subtract"


@dataclass(frozen=True)
class NeuronParams:
    """kilauea float LIF parameters of one NIR neuron node. ``du``, ``dv``,
    ``vth``: one value per population (per step, in NIR's voltage units);
    ``gain``, ``bias``: per neuron (flat); ``spiking``: False for LI; ``stateless``: True for Threshold (kilauea's
    LIF with ``dv = 1`` whatever the reset: a subtraction would be memory)."""
    du: float
    dv: float
    vth: float
    gain: np.ndarray
    bias: np.ndarray
    spiking: bool = True
    stateless: bool = False     # Threshold: no memory, so no reset either
    input_delay: int = 0        # steps the input waits before entering u (Norse's CubaLIF)


class MappingError(ValueError):
    """One NIR node or parameter kilauea cannot represent (``node``, ``reason``)."""

    def __init__(self, node: str, reason: str) -> None:
        super().__init__(f"NIR node '{node}': {reason}")
        self.node, self.reason = node, reason


def _flat(x) -> np.ndarray:
    return np.asarray(x, dtype=np.float64).reshape(-1)


def _one(node: str, name: str, x) -> float:
    """The single value of a per-neuron array that kilauea keeps per population."""
    a = _flat(x)
    if a.size == 0 or not np.all(a == a[0]):
        raise MappingError(node, f"'{name}' differs across neurons ({a.min()}..{a.max()}); "
                                 f"kilauea's LIF holds one {name} per population")
    return float(a[0])


def _decay(node: str, name: str, tau, dt: float) -> float:
    t = _one(node, name, tau)
    if not t > 0:
        raise MappingError(node, f"'{name}' = {t} must be > 0")
    k = dt / t
    if k > 1:
        raise MappingError(node, f"dt / {name} = {k:.4g} > 1: the Euler step with dt = {dt} "
                                 f"is unstable; pass a smaller dt")
    return k


def _check_reset(node: str, obj) -> None:
    v_reset = getattr(obj, "v_reset", None)
    if v_reset is not None and np.any(_flat(v_reset) != 0):
        raise MappingError(node, "'v_reset' is not 0: kilauea's neurons reset to 0 or "
                                 "subtract the threshold")


def neuron_params(name: str, obj, dt: float, current_jump: bool = False) -> NeuronParams:
    """The kilauea parameters of NIR neuron node ``obj`` (see the module
    docstring); ``MappingError`` naming the node and parameter otherwise.
    ``current_jump``: a CubaLIF's input spike adds ``w_in`` to ``I`` (no
    ``k_syn`` factor) and ``v`` integrates the previous step's ``I``
    (Norse's ``LIFCell``): gain ``k_mem r w_in``, one step of input delay."""
    kind = type(obj).__name__
    _check_reset(name, obj)
    if kind in ("LIF", "LI"):
        k = _decay(name, "tau", obj.tau, dt)
        gain = k * _flat(obj.r)
        spiking = kind == "LIF"
        vth = _one(name, "v_threshold", obj.v_threshold) if spiking else float("inf")
        return NeuronParams(1.0, k, vth, gain, k * _flat(obj.v_leak), spiking)
    if kind == "CubaLIF":
        ks = _decay(name, "tau_syn", obj.tau_syn, dt)
        km = _decay(name, "tau_mem", obj.tau_mem, dt)
        w_in = np.broadcast_to(_flat(obj.w_in), _flat(obj.r).shape)
        gain = km * _flat(obj.r) * w_in * (1.0 if current_jump else ks)
        return NeuronParams(ks, km, _one(name, "v_threshold", obj.v_threshold), gain,
                            km * _flat(obj.v_leak), input_delay=int(current_jump))
    if kind == "IF":
        r = _flat(obj.r)
        return NeuronParams(1.0, 0.0, _one(name, "v_threshold", obj.v_threshold),
                            dt * r, np.zeros_like(r))
    if kind == "Threshold":
        thr = _flat(obj.threshold)          # per neuron: vth the largest, the rest as bias
        return NeuronParams(1.0, 1.0, float(thr.max()), np.ones(thr.size), thr.max() - thr,
                            stateless=True)
    raise MappingError(name, f"{kind} is not a neuron node kilauea maps")


def linear_map(name: str, obj, in_shape: tuple[int, ...]) -> LinearMap:
    """The weight matrix and bias of linear NIR node ``obj`` acting on an
    input of shape ``in_shape`` (flat C order)."""
    kind = type(obj).__name__
    n_in = int(np.prod(in_shape))
    if kind in ("Affine", "Linear"):
        w = np.asarray(obj.weight, dtype=np.float64)
        if w.ndim != 2:
            raise MappingError(name, f"weight of shape {w.shape}: only 2-D weights map to Dense")
        if w.shape[1] != n_in:
            raise MappingError(name, f"weight has {w.shape[1]} inputs, its source gives {n_in}")
        b = _flat(obj.bias) if kind == "Affine" else np.zeros(w.shape[0])
        return LinearMap(w, np.broadcast_to(b, (w.shape[0],)).copy(), (w.shape[0],))
    if kind == "Scale":
        s = np.broadcast_to(_flat(obj.scale), (n_in,))
        return LinearMap(np.diag(s), np.zeros(n_in), tuple(in_shape))
    if kind == "Flatten":
        out = getattr(obj, "output_type", None) or {}
        shape = out.get("output")
        shape = (n_in,) if shape is None else tuple(int(x) for x in np.atleast_1d(shape))
        if int(np.prod(shape)) != n_in:
            raise MappingError(name, f"flattens {shape} but its source gives {in_shape}")
        return LinearMap(np.eye(n_in), np.zeros(n_in), shape)
    if kind in CONV_TYPES:
        try:
            return conv_map(kind, obj, in_shape)
        except ValueError as e:
            raise MappingError(name, str(e)) from None
    raise MappingError(name, f"{kind} is not a linear node kilauea maps")
