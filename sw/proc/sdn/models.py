"""CPU ProcessModels of SigmaDelta.

``fixed_pt``: bit-exact with the spec (and with the chip's neuron program
``sigma_delta``, held equal by tests/sw/graded); ``floating_pt``: Lava's
float model (no ``state_exp`` shift). The arithmetic is in
:mod:`kilauea.numerics.sdn`.
"""
from __future__ import annotations

import numpy as np

from ...numerics import graded as ng
from ...numerics import sdn as nsdn
from .._api import (CPU, LavaPyType, LoihiProtocol, PyInPort, PyLoihiProcessModel, PyOutPort,
                    implements, requires, tag)
from .._common import CachedFixedParams, owner_of
from ..graded._checks import fixed_ints
from ...numerics import sigma as nsig
from .process import ActivationMode, Delta, Sigma, SigmaDelta

__all__ = ["PySigmaDeltaModelFixed", "PySigmaDeltaModelFloat", "PySigmaModelFixed",
           "PySigmaModelFloat", "PyDeltaModelFixed", "PyDeltaModelFloat"]


def _scalar(x):
    return np.asarray(x).reshape(-1)[0].item()


class _DeltaState:
    def _store(self, act, residue, error) -> None:
        self.act[:] = act
        self.residue[:] = residue
        self.error[:] = error


class AbstractSigmaDeltaModel(_DeltaState, PyLoihiProcessModel):
    """The step of SigmaDelta: ``sd_step(a_in)`` gives ``(sigma, act,
    residue, error, s)``; the states are stored and ``s`` sent."""

    def run_spk(self) -> None:
        sigma, act, residue, error, s = self.sd_step(self.a_in.recv())
        self.sigma[:] = sigma
        self._store(act, residue, error)
        self.s_out.send(s)

    @property
    def relu(self) -> bool:
        """Whether the activation is ReLU (``proc_params['act_mode']``)."""
        mode = ActivationMode(self.proc_params["act_mode"])
        return mode == ActivationMode.RELU


@implements(proc=SigmaDelta, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySigmaDeltaModelFixed(CachedFixedParams, AbstractSigmaDeltaModel):
    """SigmaDelta, fixed point: int32 states with 32-bit wrapping sums,
    ``s_out = s >> state_exp`` (24-bit signed payloads; one outside raises
    ``ValueError``: the chip cannot send it)."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    sigma: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    act: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    residue: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    error: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    bias: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    spike_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    cum_error: np.ndarray = LavaPyType(np.ndarray, bool, precision=1)

    def check_inits(self, owner, proc) -> None:
        fixed_ints(owner, vth=proc.vth.init, bias=proc.bias.init)

    def compute_params(self, owner):
        """``(vth, state_exp)``, validated before the first step and again
        after a host write to a Var: ``state_exp`` must be a shift of an
        int32 (0..31); ``vth`` and ``bias`` are any int32, as in lava-nc
        (the chip compiler checks what the chip holds)."""
        vth, exp = int(_scalar(self.vth)), int(_scalar(self.state_exp))
        if not 0 <= exp <= nsdn.SDN_EXP_MAX:
            raise ValueError(f"{owner}: fixed-point parameter 'state_exp' must lie in "
                             f"0..{nsdn.SDN_EXP_MAX}, got {exp}")
        return (vth, exp)

    def sd_step(self, a_in):
        vth, state_exp = self.fixed_params()
        out = nsdn.sigma_delta_fixed_step(
            self.sigma, self.act, self.residue, self.error, a_in, self.bias, vth, state_exp,
            self.relu, bool(_scalar(self.cum_error)))
        ng.check_payloads(owner_of(self), out[-1], self.time_step)
        return out


class AbstractSigmaDeltaModelFloat(AbstractSigmaDeltaModel):
    """SigmaDelta's floating-point Vars and step (``s_out = s``, no shift),
    undecorated so that models of other processes (SigmaS4dDelta) can extend
    it: as in Lava, a subclass may not change the Process a model implements."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    vth: np.ndarray = LavaPyType(np.ndarray, float)
    sigma: np.ndarray = LavaPyType(np.ndarray, float)
    act: np.ndarray = LavaPyType(np.ndarray, float)
    residue: np.ndarray = LavaPyType(np.ndarray, float)
    error: np.ndarray = LavaPyType(np.ndarray, float)
    bias: np.ndarray = LavaPyType(np.ndarray, float)
    spike_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    cum_error: np.ndarray = LavaPyType(np.ndarray, bool, precision=1)

    def sd_step(self, a_in):
        return nsdn.sigma_delta_float_step(
            self.sigma, self.act, self.residue, self.error, a_in, self.bias,
            float(_scalar(self.vth)), self.relu, bool(_scalar(self.cum_error)))


@implements(proc=SigmaDelta, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySigmaDeltaModelFloat(AbstractSigmaDeltaModelFloat):
    """SigmaDelta in floating point (``s_out = s``, no shift)."""


# ------------------------------------------------------------ Sigma, Delta
@implements(proc=Sigma, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySigmaModelFloat(PyLoihiProcessModel):
    """Sigma in floating point: ``sigma += a_in``, sends ``sigma``."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    sigma: np.ndarray = LavaPyType(np.ndarray, float)

    def run_spk(self) -> None:
        self.sigma[:], s = nsig.sigma_float_step(self.sigma, self.a_in.recv())
        self.s_out.send(s)


@implements(proc=Sigma, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySigmaModelFixed(PyLoihiProcessModel):
    """Sigma in fixed point (= the chip program ``sigma``): int32 wrapping
    sum; a payload outside 24 bits signed raises ``ValueError``."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    sigma: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)

    def run_spk(self) -> None:
        sigma, s = nsig.sigma_fixed_step(self.sigma, self.a_in.recv())
        ng.check_payloads(owner_of(self), s, self.time_step)
        self.sigma[:] = sigma
        self.s_out.send(s)


@implements(proc=Delta, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDeltaModelFloat(_DeltaState, PyLoihiProcessModel):
    """Delta in floating point (no shifts)."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    vth: np.ndarray = LavaPyType(np.ndarray, float)
    sigma: np.ndarray = LavaPyType(np.ndarray, float)
    act: np.ndarray = LavaPyType(np.ndarray, float)
    residue: np.ndarray = LavaPyType(np.ndarray, float)
    error: np.ndarray = LavaPyType(np.ndarray, float)
    spike_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    cum_error: np.ndarray = LavaPyType(np.ndarray, bool, precision=1)

    def run_spk(self) -> None:
        act, residue, error, s = nsig.delta_float_step(
            self.act, self.residue, self.error, self.a_in.recv(), float(_scalar(self.vth)),
            bool(_scalar(self.cum_error)))
        self._store(act, residue, error)
        self.s_out.send(s)


@implements(proc=Delta, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyDeltaModelFixed(_DeltaState, PyLoihiProcessModel):
    """Delta in fixed point (= the chip program ``delta``): the input is
    shifted ``<< (spike_exp + state_exp)``, ``s_out = s >> state_exp``;
    int32 wrapping arithmetic; a payload outside 24 bits signed raises
    ``ValueError``."""

    a_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    vth: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    sigma: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    act: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    residue: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    error: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    spike_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    state_exp: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=3)
    cum_error: np.ndarray = LavaPyType(np.ndarray, bool, precision=1)

    _checked = False

    def on_var_update(self) -> None:
        self._checked = False

    def run_spk(self) -> None:
        vth = _scalar(self.vth)
        spike_exp, state_exp = int(_scalar(self.spike_exp)), int(_scalar(self.state_exp))
        if not self._checked:
            owner = owner_of(self)
            proc = getattr(self, "_process", None)
            if proc is not None:
                fixed_ints(owner, vth=proc.vth.init)
            if not (0 <= spike_exp and 0 <= state_exp
                    and spike_exp + state_exp <= nsig.DELTA_SHIFT_MAX):
                raise ValueError(f"{owner}: fixed-point 'spike_exp + state_exp' must lie in "
                                 f"0..{nsig.DELTA_SHIFT_MAX}")
            self._checked = True
        act, residue, error, s = nsig.delta_fixed_step(
            self.act, self.residue, self.error, self.a_in.recv(), int(vth), spike_exp,
            state_exp, bool(_scalar(self.cum_error)))
        ng.check_payloads(owner_of(self), s, self.time_step)
        self._store(act, residue, error)
        self.s_out.send(s)
