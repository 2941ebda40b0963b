"""CPU ProcessModels of LIF, LIFReset and LIFRefractory.

``floating_pt`` models follow lava-nc 0.10's float models; ``fixed_pt``
(also tagged ``bit_accurate_loihi`` where lava-nc has the same model) are
bit-exact with ``docs/numerics.md``. The arithmetic is in
:mod:`kilauea.numerics.lif`; the models only move data in and out.
"""
from __future__ import annotations

import numpy as np

from ... import numerics as nx
from .._api import (PyLoihiProcessModel, LavaPyType, PyInPort, PyOutPort,
                    implements, requires, tag, CPU, LoihiProtocol)
from ...numerics import ternary as ntern
from .._common import CachedFixedParams
from .process import LIF, LIFReset, LIFRefractory, TernaryLIF


def _scalar(x):
    """A Var of shape (1,) may reach a model as a scalar or a 1-element array."""
    return x.item() if isinstance(x, np.ndarray) else x


class _LifState:
    """Writing back the state of the LIF models, and the plain LIF step
    (``s_out = lif_update(a_in)``; the reset, refractory and ternary models
    put their own step first)."""

    def store_uv(self, u, v) -> None:
        self.u[:] = u
        self.v[:] = v

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        self.s_out_buff = self.lif_update(a_in)     # lava-nc's name for the step's spikes
        self.s_out.send(self.s_out_buff)


class _ResetStep:
    """LIFReset's step (float and fixed): ``u = v = 0`` at the reset steps,
    then the LIF update."""

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        if nx.is_reset_step(self.time_step, self.proc_params["reset_interval"],
                            self.proc_params["reset_offset"]):
            self.u[:] = 0
            self.v[:] = 0
        self.s_out.send(self.lif_update(a_in))


class _RefractoryStep:
    """LIFRefractory's step (float and fixed): ``refractory_step(a_in)``
    gives ``(u, v, refractory_period_end, s)``."""

    def run_spk(self) -> None:
        u, v, end, s = self.refractory_step(self.a_in.recv())
        self.store_uv(u, v)
        self.refractory_period_end[:] = end
        self.s_out.send(s)


# ------------------------------------------------------------ floating point
class AbstractPyLifModelFloat(_LifState, PyLoihiProcessModel):
    """Floating-point LIF dynamics (``bias_exp`` ignored)."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    u: np.ndarray = LavaPyType(np.ndarray, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, float)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, float)
    du: float = LavaPyType(float, float)
    dv: float = LavaPyType(float, float)
    vth: float = LavaPyType(float, float)

    def lif_update(self, a_in: np.ndarray) -> np.ndarray:
        """Update ``u`` and ``v`` in place; return the spikes."""
        u, v, s = nx.lif_float_step(self.u, self.v, a_in, _scalar(self.du),
                                    _scalar(self.dv), self.bias_mant,
                                    _scalar(self.vth))
        self.store_uv(u, v)
        return s


@implements(proc=LIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLifModelFloat(AbstractPyLifModelFloat):
    """LIF in floating point, for quick algorithmic prototyping."""


@implements(proc=LIFReset, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLifResetModelFloat(_ResetStep, AbstractPyLifModelFloat):
    """LIFReset in floating point: ``u = v = 0`` at the reset steps."""


@implements(proc=LIFRefractory, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLifRefractoryModelFloat(_RefractoryStep, AbstractPyLifModelFloat):
    """LIFRefractory in floating point: ``v`` frozen during the period."""

    refractory_period_end: np.ndarray = LavaPyType(np.ndarray, int)

    def refractory_step(self, a_in):
        return nx.lif_refractory_float_step(
            self.u, self.v, self.refractory_period_end, a_in,
            _scalar(self.du), _scalar(self.dv), self.bias_mant,
            _scalar(self.vth), self.time_step,
            self.proc_params["refractory_period"])


# --------------------------------------------------------------- fixed point
class AbstractPyLifModelFixed(CachedFixedParams, _LifState, PyLoihiProcessModel):
    """Bit-exact fixed-point LIF dynamics (spec: "LIF, fixed point").

    Widths on the chip: ``u``, ``v`` 24-bit signed (stored in int32);
    ``du``, ``dv`` 12-bit unsigned; ``bias_mant`` 13-bit signed;
    ``bias_exp`` -8..7; ``vth`` 17-bit unsigned. Like lava-nc's, this model
    also runs other integers (``vth = 2**17``, ``du = -1``, ...) and wraps
    where lava-nc's int32 arithmetic wraps (``kilauea.numerics.lif``); the
    chip compiler rejects them. Checked before the first step (and again
    after any host write to a Var), a ``ValueError`` naming the parameter:
    integers only, ``bias_mant`` and ``bias_exp`` within int16 (lava-nc's
    storage).
    """

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    u: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    du: int = LavaPyType(int, np.int32, precision=12)
    dv: int = LavaPyType(int, np.int32, precision=12)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=13)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    vth: int = LavaPyType(int, np.int32, precision=17)

    def check_inits(self, owner, proc) -> None:
        # The user's values before their cast to the model's ints: a
        # fractional du (say 0.1, a float-model value) is an error here, not
        # silently 0.
        nx.check_lif_fixed_params(owner, **{
            k: getattr(proc, k).init
            for k in ("du", "dv", "vth", "bias_mant", "bias_exp")})

    def compute_params(self, owner):
        """``(du, dv, effective_bias, effective_vth)``, validated; computed
        before the first step and again after any host write to a Var."""
        du, dv, vth = _scalar(self.du), _scalar(self.dv), _scalar(self.vth)
        nx.check_lif_fixed_params(
            owner, du=du, dv=dv, vth=vth,
            bias_mant=self.bias_mant, bias_exp=self.bias_exp)
        return (int(du), int(dv),
                nx.effective_bias(self.bias_mant, self.bias_exp),
                nx.effective_vth(vth))

    def lif_update(self, a_in: np.ndarray) -> np.ndarray:
        """Update ``u`` and ``v`` in place; return the spikes."""
        du, dv, bias, vth = self.fixed_params()
        u, v, s = nx.lif_fixed_step(self.u, self.v, a_in, du, dv, bias, vth)
        self.store_uv(u, v)
        return s


@implements(proc=LIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyLifModelBitAcc(AbstractPyLifModelFixed):
    """LIF bit-exact with Loihi's (and kilauea's) fixed-point dynamics."""


@implements(proc=LIFReset, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyLifResetModelBitAcc(_ResetStep, AbstractPyLifModelFixed):
    """LIFReset, bit-exact: ``u = v = 0`` at the reset steps, then LIF."""


@implements(proc=LIFRefractory, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyLifRefractoryModelFixed(_RefractoryStep, AbstractPyLifModelFixed):
    """LIFRefractory with the fixed-point LIF arithmetic (kilauea's; lava-nc
    has only the float model): ``v`` frozen during the period."""

    refractory_period_end: np.ndarray = LavaPyType(np.ndarray, np.int32)

    def refractory_step(self, a_in):
        du, dv, bias, vth = self.fixed_params()
        return nx.lif_refractory_fixed_step(
            self.u, self.v, self.refractory_period_end, a_in, du, dv, bias,
            vth, self.time_step, self.proc_params["refractory_period"])


# ------------------------------------------------------------------ TernaryLIF
@implements(proc=TernaryLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyTernLifModelFloat(_LifState, PyLoihiProcessModel):
    """TernaryLIF in floating point (lava-nc's ``PyTernLifModelFloat``):
    LIF's float dynamics, ``s = (v > vth_hi) - (v < vth_lo)``, ``v = 0``
    where ``s != 0``."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float, precision=2)
    u: np.ndarray = LavaPyType(np.ndarray, float)
    v: np.ndarray = LavaPyType(np.ndarray, float)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, float)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, float)
    du: float = LavaPyType(float, float)
    dv: float = LavaPyType(float, float)
    vth_hi: float = LavaPyType(float, float)
    vth_lo: float = LavaPyType(float, float)

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        u, v, s = ntern.ternary_lif_float_step(
            self.u, self.v, a_in, _scalar(self.du), _scalar(self.dv),
            self.bias_mant, _scalar(self.vth_hi), _scalar(self.vth_lo))
        self.store_uv(u, v)
        self.s_out.send(s)


@implements(proc=TernaryLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyTernLifModelFixed(CachedFixedParams, _LifState, PyLoihiProcessModel):
    """TernaryLIF, bit-exact fixed point (lava-nc's ``PyTernLifModelFixed``;
    identical to the chip program ``ternary_lif``): LIF's fixed-point
    dynamics, ``s = (v > vth_hi << 6) - (v < vth_lo << 6)``, ``v = 0`` where
    ``s != 0``. Checked before the first step and after host writes:
    LIF's checks for ``du, dv, bias_mant, bias_exp``; ``vth_hi``,
    ``vth_lo`` 24-bit signed, ``vth_lo <= vth_hi``."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=2)
    u: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    v: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    du: int = LavaPyType(int, np.int32, precision=12)
    dv: int = LavaPyType(int, np.int32, precision=12)
    bias_mant: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=13)
    bias_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    vth_hi: int = LavaPyType(int, np.int32, precision=24)
    vth_lo: int = LavaPyType(int, np.int32, precision=24)

    def check_inits(self, owner, proc) -> None:
        nx.check_lif_fixed_params(owner, **{
            k: getattr(proc, k).init
            for k in ("du", "dv", "bias_mant", "bias_exp")})
        ntern.check_ternary_thresholds(owner, proc.vth_hi.init,
                                       proc.vth_lo.init)

    def compute_params(self, owner):
        """``(du, dv, effective_bias, vth_hi, vth_lo)``, validated."""
        du, dv = _scalar(self.du), _scalar(self.dv)
        hi, lo = _scalar(self.vth_hi), _scalar(self.vth_lo)
        nx.check_lif_fixed_params(owner, du=du, dv=dv,
                                  bias_mant=self.bias_mant,
                                  bias_exp=self.bias_exp)
        ntern.check_ternary_thresholds(owner, hi, lo)
        return (int(du), int(dv),
                nx.effective_bias(self.bias_mant, self.bias_exp),
                int(hi), int(lo))

    def run_spk(self) -> None:
        a_in = self.a_in.recv()
        du, dv, bias, hi, lo = self.fixed_params()
        u, v, s = ntern.ternary_lif_fixed_step(self.u, self.v, a_in, du, dv,
                                               bias, hi, lo)
        self.store_uv(u, v)
        self.s_out.send(s)
