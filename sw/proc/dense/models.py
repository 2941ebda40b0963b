"""CPU ProcessModels of Dense and DelayDense.

``floating_pt``: lava-nc's float models (no clipping, no shifts).
``fixed_pt`` (``bit_accurate_loihi``): weights prepared before the first
step (sign mode, clip to 8 bits, truncate to ``num_weight_bits``; the
``weights`` Var then holds them, as in lava-nc), each step's sum shifted by
``weight_exp`` with flooring, per projection and per source step; a graded
sum of Dense (and Sparse) wraps to int32 first, as lava-nc's does.
Arithmetic: :mod:`kilauea.numerics.dense` and :mod:`kilauea.numerics.weights`.

Weights set from the host between runs are prepared again before the next
step (preparing prepared weights changes nothing). The binary gather reads a
transposed copy of the weights (``numerics.accumulate(..., weights_t=)``),
rebuilt whenever a Var is set.
"""
from __future__ import annotations

import numpy as np
from scipy import sparse

from ... import numerics as nx
from .._api import (PyLoihiProcessModel, LavaPyType, PyInPort, PyOutPort,
                    implements, requires, tag, CPU, LoihiProtocol)
from .process import Dense, DelayDense


def _nmb(model) -> int:
    return int(np.asarray(model.num_message_bits).reshape(-1)[0])


def prepare_model_weights(model) -> None:
    """Replace ``model.weights`` by the prepared fixed-point weights."""
    params = model.proc_params
    model.weights = nx.prepare_weights(
        model.weights, params.get("sign_mode", None),
        params.get("num_weight_bits", nx.WEIGHT_BITS))


class _WeightsCache:
    """Per-model state derived from the Vars (prepared weights, transposed
    copy), rebuilt after any host write (``on_var_update``)."""

    fixed_point = False
    weights_set = False

    def on_var_update(self):
        self.weights_set = False

    def ensure_weights(self) -> None:
        if not self.weights_set:
            if self.fixed_point:
                prepare_model_weights(self)
            self.build_cache()
            self.weights_set = True

    def build_cache(self) -> None:
        self._weights_t = np.ascontiguousarray(np.asarray(self.weights).T)
        self.cache_scalars()

    def cache_scalars(self) -> None:
        """The scalars every step reads: message bits and ``weight_exp``."""
        self._nmb = _nmb(self)
        self._weight_exp = int(self.proc_params.get("weight_exp", 0))

    @staticmethod
    def check_delays(name: str, d: np.ndarray, slots: int) -> None:
        """Delays must index the buffer's ``slots`` (0..max_delay)."""
        if d.max() >= slots or d.min() < 0:
            raise ValueError(
                f"{name} 'delays' must lie in 0..{slots - 1} (the buffer's "
                f"max_delay), got values in {d.min()}..{d.max()}")


class AbstractPyDenseModel(_WeightsCache, PyLoihiProcessModel):
    """The step of Dense: send the previous step's sum, then accumulate."""

    def run_spk(self) -> None:
        self.ensure_weights()
        # Send what the previous step accumulated (the one-step delay that
        # also keeps recurrent networks free of deadlock), then accumulate.
        self.a_out.send(self.a_buff)
        s_in = self.s_in.recv()
        a_accum = nx.accumulate(self.weights, s_in, self._nmb, self._weights_t)
        if self.fixed_point:                        # lava-nc: int32 W @ s_in wraps
            a_accum = nx.scale_sum(a_accum, self._weight_exp, self._nmb > 0)
        self.a_buff = a_accum


@implements(proc=Dense, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDenseModelFloat(AbstractPyDenseModel):
    """Dense, floating point."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buff: np.ndarray = LavaPyType(np.ndarray, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)


@implements(proc=Dense, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyDenseModelBitAcc(AbstractPyDenseModel):
    """Dense, bit-exact fixed point (spec: "Dense, fixed point")."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    a_buff: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    weights: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)

    fixed_point = True


class AbstractPyDelayDenseModel(_WeightsCache, PyLoihiProcessModel):
    """The step of DelayDense. The weights split by delay
    (``numerics.delay_weight_stack``) are cached with the weights."""

    def build_cache(self) -> None:
        d = np.asarray(self.delays)
        slots = self.a_buff.shape[-1]
        self.check_delays("DelayDense", d, slots)
        self._stack = nx.delay_weight_stack(self.weights, d, slots)
        self._slots = slots
        self.cache_scalars()

    @staticmethod
    def get_delay_wgts_mat(weights, delays, max_delay: int) -> np.ndarray:
        """Lava's helper: the weights split by delay, ``(max_delay + 1)``
        blocks of ``weights``' shape stacked vertically, block ``k`` holding
        the weights whose delay is ``k``."""
        if not sparse.issparse(weights):
            weights = np.asarray(weights)
        return nx.delay_weight_stack(weights, delays, int(max_delay) + 1)

    #: lava-nc's DelayDense sums with ``np.sum`` (int64: no wrap before the
    #: shift); its DelaySparse with an int32 CSR product (wraps, like Dense).
    graded_sum_wraps = False

    def run_spk(self) -> None:
        self.ensure_weights()
        self.a_out.send(self.a_buff[:, 0].copy())
        s_in = self.s_in.recv()
        a_accum = nx.accumulate_delayed(self._stack, s_in, self._slots,
                                        self._nmb)
        if self.fixed_point:
            a_accum = nx.scale_sum(a_accum, self._weight_exp,
                                   self._nmb > 0 and self.graded_sum_wraps)
        self.a_buff = nx.delay_dense_step(self.a_buff, a_accum)


@implements(proc=DelayDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyDelayDenseModelFloat(AbstractPyDelayDenseModel):
    """DelayDense, floating point."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, float)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    a_buff: np.ndarray = LavaPyType(np.ndarray, float)
    weights: np.ndarray = LavaPyType(np.ndarray, float)
    delays: np.ndarray = LavaPyType(np.ndarray, int)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)


@implements(proc=DelayDense, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyDelayDenseModelBitAcc(AbstractPyDelayDenseModel):
    """DelayDense, bit-exact fixed point: each source step's per-delay sum is
    shifted (floored) on its own before joining the buffer. Delays 0..63."""

    s_in: PyInPort = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    a_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    a_buff: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=24)
    weights: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=8)
    delays: np.ndarray = LavaPyType(np.ndarray, np.int32, precision=6)
    num_message_bits: np.ndarray = LavaPyType(np.ndarray, int, precision=5)

    fixed_point = True
