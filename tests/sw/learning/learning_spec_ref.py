"""A direct, loop-style transcription of docs/learning.md ("Products"), one synapse
at a time in plain Python integers and floats: the reference the randomised tests
hold kilauea.learning to. It shares no code with kilauea.learning.

A product here is a `Product` of this module: the scaling literals as written and
the factors as `Factor`s; `normalise` turns the literals into (s_mantissa, s_exp)
as the docs say.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Optional, Tuple

WIDTH = {"x0": 1, "y0": 1, "x1": 7, "x2": 7, "y1": 7, "y2": 7, "y3": 7,
         "w": 9, "d": 9, "t": 9, "C": 8}
VAR_NAME = {"w": "weights", "d": "tag_2", "t": "tag_1"}
ACC_MIN, ACC_MAX = -2 ** 15 - 1, 2 ** 15 - 1


@dataclass(frozen=True)
class Factor:
    """state_var + const (const None: none), under sgn() when is_sgn."""
    state_var: str
    const: Optional[float] = None
    is_sgn: bool = False


@dataclass(frozen=True)
class Product:
    """sign * (product of literals M*2^E) * dependency * factors."""
    sign: int
    dependency: str                 # x0, y0 or u
    literals: Tuple[Tuple[int, int], ...]   # (M, E) each
    factors: Tuple[Factor, ...]


def normalise(product: Product) -> Tuple[int, int]:
    """(s_mantissa, s_exp) per "Products": multiply mantissas, add exponents,
    halve an even out-of-range mantissa while the exponent is below 8; raise
    ValueError when the result is out of range. s_exp is the exponent + 7."""
    m, e = product.sign, 0
    for mant, exp in product.literals:
        m *= mant
        e += exp
    while (m > 7 or m < -7) and m % 2 == 0 and e < 8:
        m = m // 2
        e += 1
    if not -8 <= m <= 7 or not -7 <= e <= 8:
        raise ValueError(f"scaling {m}*2^{e} out of range")
    return m, e + 7


def wrap32(v: int) -> int:
    """v as a 32-bit two's-complement integer."""
    v &= 0xFFFFFFFF
    return v - (1 << 32) if v >= 1 << 31 else v


def state(name: str, dep: str, s: dict, i: int, j: int):
    """The value a factor reads for synapse (post i, pre j): a dependency, the
    trace at the dependency's time, or a synaptic variable."""
    if name == "x0":
        return s["x0"][j]
    if name == "y0":
        return s["y0"][i]
    if name in VAR_NAME:
        return s[VAR_NAME[name]][i][j]
    return s[f"{name}_{dep}"][i][j]


def factor_value(f: Factor, dep: str, s: dict, i: int, j: int):
    v = 0 if f.state_var == "C" else state(f.state_var, dep, s, i, j)
    if f.const is not None:
        v = v + f.const
    if f.is_sgn:
        v = (v > 0) - (v < 0)
    return v


def dependency_value(dep: str, s: dict, i: int, j: int) -> int:
    return int(s["u"]) if dep == "u" else int(state(dep, dep, s, i, j))


def fixed_product(p: Product, s: dict, i: int, j: int) -> int:
    """Steps 1-5 of "Fixed point" for one product, before the accumulation."""
    m, s_exp = normalise(p)
    v = dependency_value(p.dependency, s, i, j)
    width_sum = 4
    for f in p.factors:
        w = WIDTH[f.state_var]
        width_sum += w
        fv = factor_value(f, p.dependency, s, i, j)
        fv = min(max(fv, -2 ** w), 2 ** w - 1)
        v = wrap32(v * math.trunc(fv))
    v = wrap32(v * m)
    v >>= max(0, width_sum - 15)          # Python's >> is arithmetic (floor)
    v = wrap32(v << s_exp)
    return min(max(v, ACC_MIN), ACC_MAX)


def fixed_rule(products: List[Product], acc: int, s: dict, i: int, j: int) -> int:
    """The accumulator after all products (step 5, saturating each sum)."""
    for p in products:
        acc = min(max(acc + fixed_product(p, s, i, j), ACC_MIN), ACC_MAX)
    return acc


def float_rule(products: List[Product], init: float, s: dict, i: int, j: int) -> float:
    """The float rule: each product left to right, products summed left to right."""
    total = None
    for p in products:
        m, s_exp = normalise(p)
        v = m * 2.0 ** (s_exp - 7)
        v = v * dependency_value(p.dependency, s, i, j)
        for f in p.factors:
            v = v * factor_value(f, p.dependency, s, i, j)
        total = v if total is None else total + v
    return init + total
