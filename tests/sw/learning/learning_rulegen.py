"""Random learning rules for the randomised tests: a rule is drawn as a structure
(learning_spec_ref.Product values) and written out as a rule string in one of the many
spellings docs/learning.md's grammar allows."""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Tuple

import numpy as np

TRACES = ("x1", "x2", "y1", "y2", "y3")
SYN_VARS = ("w", "d", "t")


@dataclass(frozen=True)
class DrawnRule:
    text: str
    products: list      # learning_spec_ref.Product
    k: object           # K of its uK dependencies, or None


def _spaces(rng, text: str) -> str:
    return text if rng.random() < 0.5 else f" {text} "


def literal_text(rng, m: int, e: int) -> str:
    """M*2^E (M >= 1) spelled one of the ways the grammar allows."""
    forms = [f"{m}*2^{e}", f"{m}*2^{'+' if e >= 0 else ''}{e}"]
    if m == 1:
        forms.append(f"2^{e}")
    if e == 0:
        forms.append(f"{m}")
    return forms[int(rng.integers(len(forms)))]


def _literal(rng) -> Tuple[int, int]:
    return int(rng.integers(1, 8)), int(rng.integers(-4, 5))


def draw_factor(rng, ref, dependency: str) -> Tuple[str, object, int]:
    """(text, spec_ref.Factor, sign flip) of one random factor."""
    kind = rng.choice(["var", "var", "dep", "bracket", "sgn"])
    if kind == "var":
        name = str(rng.choice(TRACES + SYN_VARS))
        return name, ref.Factor(name), 1
    if kind == "dep":
        name = str(rng.choice(["x0", "y0"]))
        return name, ref.Factor(name), 1
    m, e = _literal(rng)
    lit = literal_text(rng, m, e)
    value = m * 2 ** e
    const_neg = bool(rng.integers(2))
    if kind == "sgn":
        name = str(rng.choice(SYN_VARS))
        form = int(rng.integers(3))
        if form == 0:
            return f"sgn({name})", ref.Factor(name, None, True), 1
        op = "-" if const_neg else "+"
        text = f"sgn({name}{op}{lit})" if form == 1 else f"sgn({op}{lit}+{name})"
        return text, ref.Factor(name, -value if const_neg else value, True), 1
    name = str(rng.choice(TRACES + SYN_VARS + ("x0", "y0")))
    var_neg = bool(rng.integers(2))
    vop, cop = ("-" if var_neg else ""), ("-" if const_neg else "+")
    if rng.integers(2):
        text = f"({vop}{name}{cop}{lit})"
    else:
        text = f"({'-' if const_neg else ''}{lit}{'-' if var_neg else '+'}{name})"
    const = -value if const_neg else value
    if var_neg:
        return text, ref.Factor(name, -const), -1
    return text, ref.Factor(name, const), 1


def draw_product(rng, ref, k) -> Tuple[List[str], object]:
    """The items (texts) of one product in order, and its structure (sign +1)."""
    dependency = str(rng.choice(["x0", "y0", "u"])) if k is not None else \
        str(rng.choice(["x0", "y0"]))
    dep_text = f"u{k}" if dependency == "u" else dependency
    items, factors, sign = [dep_text], [], 1
    for _ in range(int(rng.integers(0, 4))):
        text, factor, flip = draw_factor(rng, ref, dependency)
        items.append(text)
        factors.append(factor)
        sign *= flip
    literals = []
    for _ in range(int(rng.integers(0, 3))):
        m, e = _literal(rng)
        negative = rng.random() < 0.25
        text = literal_text(rng, m, e)
        items.insert(int(rng.integers(0, len(items) + 1)),
                     f"(-{text})" if negative else text)
        literals.append((-m if negative else m, e))
    return items, ref.Product(sign, dependency, tuple(literals), tuple(factors))


def draw_rule(rng, ref) -> DrawnRule:
    """A random rule of 1..4 products."""
    k = int(rng.integers(0, 10)) if rng.random() < 0.5 else None
    text, products = "", []
    for idx in range(int(rng.integers(1, 5))):
        items, product = draw_product(rng, ref, k)
        negative = rng.random() < 0.4
        op = "-" if negative else ("+" if idx or rng.random() < 0.2 else "")
        text += _spaces(rng, op) + "*".join(_spaces(rng, it) for it in items)
        products.append(ref.Product(product.sign * (-1 if negative else 1),
                                    product.dependency, product.literals, product.factors))
    used_u = any(p.dependency == "u" for p in products)
    return DrawnRule(text, products, k if used_u else None)


def draw_state(rng, n_pre: int, n_post: int, fixed: bool) -> Tuple[dict, dict]:
    """(applier keyword arguments, spec_ref state) of a random connection."""
    shape = (n_post, n_pre)
    x0 = rng.random(n_pre) < 0.6
    y0 = rng.random(n_post) < 0.6
    if fixed:
        syn = {"weights": rng.integers(-600, 601, shape), "tag_2": rng.integers(0, 601, shape),
               "tag_1": rng.integers(-600, 601, shape)}
        trace = lambda: rng.integers(0, 128, shape)  # noqa: E731
    else:
        syn = {name: rng.uniform(-300, 300, shape) for name in ("weights", "tag_2", "tag_1")}
        trace = lambda: rng.uniform(0, 128, shape)  # noqa: E731
    traces = {f"{t}_{dep}": trace() for t in TRACES for dep in ("x0", "y0", "u")}
    u = int(rng.integers(0, 2))
    args = dict(shape=shape, x0=x0[np.newaxis, :], y0=y0[:, np.newaxis], u=u, **syn, **traces)
    spec = dict(x0=x0.tolist(), y0=y0.tolist(), u=u,
                **{k: v.tolist() for k, v in {**syn, **traces}.items()})
    return args, spec
