"""Evaluating a rule's products over numpy arrays (docs/learning.md, "Products").

An applier belongs to one `ProductSeries` (one of dw, dd, dt) and computes
``accumulator + sum of products`` for every synapse at once. The keyword
arguments of `apply` are the connection's state, by name:

- ``x0`` (shape (1, n_pre)), ``y0`` ((n_post, 1)): the dependencies, 0/1;
  ``u``: 0 or 1 (a scalar);
- ``weights``, ``tag_2``, ``tag_1`` ((n_post, n_pre)): w, d, t;
- ``{trace}_{dependency}`` (``x1_y0``, ``y1_x0``, ``x2_u`` ...): each trace as it
  was at the dependency's time (broadcastable to (n_post, n_pre));
- ``shape`` (fixed point only): (n_post, n_pre).

Other keyword arguments are ignored. `LearningRuleApplierFloat` computes in
float64; `LearningRuleApplierBitApprox` in Lava's fixed point, into the
16-bit signed accumulator (the synaptic variable shifted left to 15
magnitude bits), with the saturations and shifts of docs/learning.md.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Union

import numpy as np

from . import string_symbols as sym
from .constants import FACTOR_TO_WIDTH_DICT, S_EXP_OFFSET, W_ACCUMULATOR_U, W_S_MANT
from .product_series import Factor, Product, ProductSeries
from .utils import saturate

__all__ = ["AbstractLearningRuleApplier", "LearningRuleApplierFloat",
           "LearningRuleApplierBitApprox", "ACCUMULATOR_MIN", "ACCUMULATOR_MAX"]

#: The accumulator's saturation bounds (as lava-nc 0.10 clips: one below -2**15).
ACCUMULATOR_MIN = -(2 ** W_ACCUMULATOR_U) - 1
ACCUMULATOR_MAX = 2 ** W_ACCUMULATOR_U - 1

Array = Union[np.ndarray, int, float]


def factor_state(dependency: str, factor: Factor, args: dict) -> Array:
    """The state a factor reads, before its constant: a dependency, the trace
    as it was at `dependency`'s time, or a synaptic variable; 0 for ``C``."""
    if factor.state_var == sym.C:
        return 0
    if factor.state_var in sym.DEPENDENCIES:
        return args[factor.state_var]
    if factor.state_var in sym.TRACES:
        return args[f"{factor.state_var}_{dependency}"]
    return args[sym.SYNAPTIC_VARIABLE_VAR_MAPPING[factor.state_var]]


def factor_value(dependency: str, factor: Factor, args: dict) -> Array:
    """The factor's value: state + const, under sgn() for an sgn factor."""
    value = factor_state(dependency, factor, args)
    if factor.has_const():
        value = value + factor.const
    return np.sign(value) if factor.is_sgn else value


class AbstractLearningRuleApplier(ABC):
    """Evaluates one ProductSeries; `apply` returns the new accumulator."""

    def __init__(self, product_series: ProductSeries) -> None:
        self._product_series = product_series

    @property
    def product_series(self) -> ProductSeries:
        """The rule this applier evaluates."""
        return self._product_series

    @abstractmethod
    def apply(self, init_accumulator: np.ndarray, **applier_args: Any) -> np.ndarray:
        """`init_accumulator` plus the rule's change, for every synapse."""


class LearningRuleApplierFloat(AbstractLearningRuleApplier):
    """The float rule: ``acc + sum_p s_mantissa * 2**(s_exp - 7) * dep * factors``.

    Each product multiplies left to right (scale, dependency, factors in the
    order written) and the products add up left to right before the sum is
    added to the accumulator: the float rounding is lava-nc's."""

    def apply(self, init_accumulator: np.ndarray, **applier_args: Any) -> np.ndarray:
        total = None
        for product in self._product_series.products:
            term = self._product_value(product, applier_args)
            total = term if total is None else total + term
        return init_accumulator + total

    @staticmethod
    def _product_value(product: Product, args: dict) -> Array:
        value = product.s_mantissa * 2. ** (product.s_exp - S_EXP_OFFSET)
        value = value * args[product.dependency]
        for factor in product.factors:
            value = value * factor_value(product.dependency, factor, args)
        return value


class LearningRuleApplierBitApprox(AbstractLearningRuleApplier):
    """The fixed-point rule (lava-nc's bit-approximate model), per product:

    1. multiply, in int32 (wrapping), the dependency and each factor, every
       factor saturated to its width w: -2**w .. 2**w - 1 (truncated to an
       integer), then the scaling mantissa;
    2. shift right (arithmetic) by (sum of the factor widths + 4) - 15 when
       positive, then left by `s_exp` (the scaling exponent + 7);
    3. saturate to -2**15 - 1 .. 2**15 - 1 and add to the accumulator,
       saturating again.

    `init_accumulator` is the synaptic variable already shifted left to the
    accumulator's scale; the result is on that scale too.

    A product whose dependency is 0 at a synapse adds 0 there: each product is
    computed only where its dependency is nonzero (the columns of the sources that
    spiked, the rows of the targets that spiked, every synapse or none for ``u``),
    the int32 arithmetic being the same there; the other synapses are saturated
    (by the first product; saturating again changes nothing)."""

    def apply(self, init_accumulator: np.ndarray, **applier_args: Any) -> np.ndarray:
        products = self._product_series.products
        if not products:
            return init_accumulator
        shape = tuple(applier_args["shape"])
        init = np.broadcast_to(init_accumulator, shape)
        result = init.astype(np.result_type(init, np.int32))
        for number, product in enumerate(products):
            gate = _gate(applier_args[product.dependency], len(shape))
            if gate is not None:
                where, args = _where(applier_args, product, shape, gate)
                summed = result[where] + self._product_value(product, args)
                result[where] = (summed if number == 0 else
                                 saturate(summed, ACCUMULATOR_MIN, ACCUMULATOR_MAX))
            if number == 0:
                result = saturate(result, ACCUMULATOR_MIN, ACCUMULATOR_MAX)
        return result

    @staticmethod
    def _product_value(product: Product, args: dict) -> np.ndarray:
        """One product's term, at the broadcast shape of its operands (``(1, n_pre)``
        for an x0 product of x traces, ...): every step is elementwise and the int32
        products wrap (multiplication modulo 2**32 is associative and commutative),
        so this equals the term computed on ``shape`` and broadcast afterwards."""
        value = np.ones((1,) * len(args["shape"]), dtype=np.int32)
        value = value * np.asarray(args[product.dependency]).astype(np.int32)
        width_sum = W_S_MANT
        for factor in product.factors:
            width = FACTOR_TO_WIDTH_DICT[factor.state_var]
            width_sum += width
            factor_val = saturate(factor_value(product.dependency, factor, args),
                                  -(2 ** width), 2 ** width - 1)
            value = value * np.asarray(factor_val).astype(np.int32)
        value *= product.s_mantissa
        value = np.right_shift(value, max(0, width_sum - W_ACCUMULATOR_U))
        value = np.left_shift(value, product.s_exp)
        return saturate(value, ACCUMULATOR_MIN, ACCUMULATOR_MAX)


def _gate(dependency: Array, ndim: int):
    """Where a product with this dependency (0/1, broadcastable to an ``ndim``-D
    shape) may be nonzero: None (nowhere), ``(None, None)`` (everywhere: compute on
    the whole shape) or ``(axis, indices)``: the nonzero entries along the one axis
    the dependency varies on."""
    d = np.asarray(dependency)
    if not d.any():
        return None
    varying = [a for a in range(d.ndim) if d.shape[a] > 1]
    if d.ndim != ndim or len(varying) != 1:
        return None, None
    idx = np.flatnonzero(d.reshape(-1))
    if idx.size == d.size:
        return None, None
    return varying[0], idx


def _where(args: dict, product: Product, shape: tuple, gate: tuple):
    """(index into the accumulator, the product's arguments there) for a `_gate`."""
    axis, idx = gate
    if axis is None:
        return (Ellipsis,), args
    return ((slice(None),) * axis + (idx,),
            _restricted(args, _arg_names(product), shape, axis, idx))


def _arg_names(product: Product) -> set:
    """The applier arguments a product reads."""
    names = {product.dependency}
    for factor in product.factors:
        if factor.state_var in sym.DEPENDENCIES:
            names.add(factor.state_var)
        elif factor.state_var in sym.TRACES:
            names.add(f"{factor.state_var}_{product.dependency}")
        elif factor.state_var != sym.C:
            names.add(sym.SYNAPTIC_VARIABLE_VAR_MAPPING[factor.state_var])
    return names


def _restricted(args: dict, names: set, shape: tuple, axis: int, idx: np.ndarray) -> dict:
    """The arguments `names` at the indices `idx` along `axis` (those broadcast along
    it as they are), with the shape they now broadcast to."""
    out = {}
    for name in names:
        v = args[name]
        if isinstance(v, np.ndarray) and v.ndim == len(shape) and v.shape[axis] > 1:
            v = np.take(v, idx, axis=axis)
        out[name] = v
    out["shape"] = shape[:axis] + (idx.size,) + shape[axis + 1:]
    return out
