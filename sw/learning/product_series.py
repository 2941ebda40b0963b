"""A parsed learning rule as a sum of products (docs/learning.md, "Products").

Each product of a rule is ``s_mantissa * 2**(s_exp - 7) * dependency *
factor * factor ...``: the first dependency symbol (``x0``, ``y0``, ``uK``)
gates it, every literal outside a factor bracket goes into its scaling
factor, and each trace, synaptic variable, further dependency, ``(v + c)``
or ``sgn(v + c)`` is one `Factor`. The scaling factor is normalised to a
mantissa in -8..7 and an exponent in -7..8 (stored as ``s_exp`` = exponent +
7, 0..15) by moving factors of two from the mantissa to the exponent.

The classes and attributes are lava-nc's (`Factor`, `Product`,
`ProductSeries`); a rule that cannot be read raises `LearningRuleError`
(a ValueError) naming the rule, the product and the grammar rule.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Set, Tuple, Union

from . import string_symbols as sym
from .constants import S_EXP_MAX, S_EXP_MIN, S_EXP_OFFSET, S_MANT_MAX, S_MANT_MIN
from .errors import LearningRuleError
from .symbolic_equation import (Addition, Dependency, Expression, Literal, Multiplication,
                                Operator, SgnExpression, Subtraction, Symbol, SymbolicEquation,
                                SymbolList, Uk, Variable)

__all__ = ["Factor", "Product", "ProductSeries"]

Const = Optional[Union[int, float]]


class Factor:
    """One factor of a product: `state_var` (a trace, synaptic variable,
    dependency, or ``C`` for a constant factor) plus the constant `const`
    (None: none), under ``sgn()`` when `is_sgn` (synaptic variables only)."""

    def __init__(self, state_var: str, const: Const = None, is_sgn: bool = False) -> None:
        if state_var not in sym.FACTOR_STATE_VARS:
            raise LearningRuleError(None, str(state_var), "unknown factor; a factor is one of "
                                    f"{sorted(sym.FACTOR_STATE_VARS)}")
        if is_sgn and state_var not in sym.SYNAPTIC_VARIABLES:
            raise LearningRuleError(None, f"sgn({state_var})", "sgn() applies only to the "
                                    "synaptic variables w, d, t")
        self._state_var = state_var
        self._const = const
        self._is_sgn = is_sgn
        const_str = "2C" if state_var in (sym.W, sym.T) else "C"
        if state_var == sym.C:
            self._factor_type = sym.C
        elif is_sgn:
            self._factor_type = f"sgn({state_var}+{const_str})"
        else:
            self._factor_type = f"{state_var}+{const_str}"

    @property
    def state_var(self) -> str:
        """The state variable: x0, y0, x1, x2, y1, y2, y3, w, d, t or C."""
        return self._state_var

    @property
    def const(self) -> Const:
        """The constant added to the state variable (None: none)."""
        return self._const

    @property
    def is_sgn(self) -> bool:
        """True for ``sgn(v + c)``."""
        return self._is_sgn

    @property
    def factor_type(self) -> str:
        """Loihi's factor kind, e.g. ``x1+C``, ``w+2C``, ``sgn(d+C)``, ``C``."""
        return self._factor_type

    def has_const(self) -> bool:
        """True when a constant is added."""
        return self._const is not None

    def __str__(self) -> str:
        return f"({self._factor_type}, C = {self._const})"


class Product:
    """One product of a rule: `target` (dw, dd, dt), `dependency` (x0, y0, u),
    scaling ``s_mantissa * 2**(s_exp - 7)``, `factors`, and the `decimate_exponent`
    K of a ``uK`` dependency (None for x0, y0)."""

    def __init__(self, target: str, dependency: str, s_mantissa: int, s_exp: int,
                 factors: List[Factor], decimate_exponent: Optional[int] = None) -> None:
        if target not in sym.LEARNING_RULE_TARGETS:
            raise LearningRuleError(None, str(target), "a rule's target is one of dw, dd, dt")
        if dependency not in sym.DEPENDENCIES:
            raise LearningRuleError(target, str(dependency),
                                    "a product's dependency is one of x0, y0, u")
        if (decimate_exponent is None) != (dependency != sym.U):
            raise LearningRuleError(target, f"{dependency} (K={decimate_exponent})",
                                    "a product has a decimate exponent K exactly when its "
                                    "dependency is uK (uK must be its first dependency)")
        self._target = target
        self._dependency = dependency
        self._s_mantissa = s_mantissa
        self._s_exp = s_exp
        self._factors = factors
        self._decimate_exponent = decimate_exponent

    @property
    def target(self) -> str:
        """dw, dd or dt."""
        return self._target

    @property
    def dependency(self) -> str:
        """x0, y0 or u."""
        return self._dependency

    @property
    def decimate_exponent(self) -> Optional[int]:
        """K of ``uK`` (None unless the dependency is u)."""
        return self._decimate_exponent

    @property
    def s_mantissa(self) -> int:
        """Scaling mantissa, -8..7."""
        return self._s_mantissa

    @property
    def s_exp(self) -> int:
        """Scaling exponent plus 7, 0..15 (the scale is 2**(s_exp - 7))."""
        return self._s_exp

    @property
    def factors(self) -> List[Factor]:
        """The factors after the dependency."""
        return self._factors

    def __str__(self) -> str:
        lines = [f"    Product: dependency={self._dependency}, scaling={self._s_mantissa}"
                 f"*2^({self._s_exp}-7), target={self._target}, "
                 f"num_factors={len(self._factors)}", "        Factors:"]
        lines += [f"            {factor}" for factor in self._factors]
        return "\n".join(lines) + "\n"


@dataclass
class _ProductDraft:
    """A product while its symbols are read."""
    text: str
    dependency: Optional[str] = None
    decimate_exponent: Optional[int] = None
    s_mantissa: int = 1
    s_exp: int = 0
    factors: List[Factor] = field(default_factory=list)

    def scale(self, literal: Literal, sign: int = 1) -> None:
        """Fold `literal` (times `sign`) into the scaling factor."""
        self.s_mantissa *= literal.mantissa * sign
        self.s_exp += literal.exponent


@dataclass(frozen=True)
class _BracketTerm:
    """A bracket's content read as ``sign_var * var + const`` (var None: a literal)."""
    var: Optional[str]
    const: Const
    negated_var: bool


def _literal_value(literal: Literal) -> Union[int, float]:
    """M * base**E, unrounded (a float for a negative exponent)."""
    return literal.mantissa * literal.base ** literal.exponent


BRACKET_GRAMMAR = ("a bracket holds a literal, a variable, or a variable plus or minus "
                   "a literal: (L), (v), (v + L), (L - v), ...")


class ProductSeries:
    """A rule (`SymbolicEquation`) as a list of `Product`s.

    `target` is dw, dd or dt, `decimate_exponent` the K of its ``uK`` products
    (one K per rule), `active_traces_per_dependency` maps each dependency to the
    traces that appear in its products."""

    def __init__(self, symbolic_equation: SymbolicEquation) -> None:
        self._target = symbolic_equation.target
        self._rule = getattr(symbolic_equation, "str_learning_rule", None)
        self._decimate_exponent: Optional[int] = None
        self._products = [self._generate_product(symbols)
                          for symbols in self._separate_products(symbolic_equation.symbol_list)]
        self._active_traces_per_dependency = self._traces_per_dependency()

    @property
    def target(self) -> str:
        """dw, dd or dt."""
        return self._target

    @property
    def decimate_exponent(self) -> Optional[int]:
        """K of the rule's ``uK`` dependencies (None without any)."""
        return self._decimate_exponent

    @property
    def products(self) -> List[Product]:
        """The products in the order written."""
        return self._products

    @property
    def active_traces_per_dependency(self) -> Dict[str, Set[str]]:
        """Dependency -> the traces its products use."""
        return self._active_traces_per_dependency

    def _traces_per_dependency(self) -> Dict[str, Set[str]]:
        result: Dict[str, Set[str]] = {}
        for product in self._products:
            traces = result.setdefault(product.dependency, set())
            traces.update(f.state_var for f in product.factors if f.state_var in sym.TRACES)
        return result

    @staticmethod
    def _separate_products(symbol_list: SymbolList) -> List[List[Symbol]]:
        """The symbols split into products at each ``+`` or ``-`` that follows
        a symbol of the current product (``*`` dropped)."""
        products: List[List[Symbol]] = []
        current: List[Symbol] = []
        for symbol in symbol_list.list:
            if isinstance(symbol, Multiplication):
                continue
            if isinstance(symbol, (Addition, Subtraction)) and current:
                products.append(current)
                current = []
            current.append(symbol)
        products.append(current)
        return products

    def _error(self, term: str, grammar: str) -> LearningRuleError:
        return LearningRuleError(self._target, term, grammar, self._rule)

    def _generate_product(self, symbols: List[Symbol]) -> Product:
        """The Product of one product's symbols."""
        sign = symbols[0].expr if symbols and isinstance(symbols[0], Operator) else ""
        draft = _ProductDraft(sign + "*".join(s.expr for s in symbols
                                              if not isinstance(s, Operator)))
        try:
            for symbol in symbols:
                self._read_symbol(draft, symbol)
            self._normalise_scaling(draft)
            return Product(self._target, draft.dependency, draft.s_mantissa,
                           draft.s_exp + S_EXP_OFFSET, draft.factors, draft.decimate_exponent)
        except LearningRuleError as error:
            if error.target is not None and error.rule is not None:
                raise
            raise self._error(draft.text, f"{error.term}: {error.grammar}") from None

    def _read_symbol(self, draft: _ProductDraft, symbol: Symbol) -> None:
        """Add one top-level symbol of a product to `draft`."""
        if isinstance(symbol, Subtraction):
            draft.s_mantissa = -draft.s_mantissa
        elif isinstance(symbol, Uk):
            self._read_uk(draft, symbol)
        elif isinstance(symbol, Dependency):
            if draft.dependency is None:
                draft.dependency = symbol.expr
            else:
                draft.factors.append(Factor(symbol.expr))
        elif isinstance(symbol, Literal):
            draft.scale(symbol)
        elif isinstance(symbol, Variable):
            draft.factors.append(Factor(symbol.expr))
        elif isinstance(symbol, Expression):
            self._read_expression(draft, symbol)
        elif not isinstance(symbol, Addition):
            raise self._error(symbol.expr, "cannot be read as part of a product")

    def _read_uk(self, draft: _ProductDraft, symbol: Uk) -> None:
        k = symbol.decimate_exponent
        if self._decimate_exponent is not None and self._decimate_exponent != k:
            raise self._error(symbol.expr, f"one rule uses one decimate exponent K in its uK "
                              f"dependencies; u{self._decimate_exponent} came first")
        self._decimate_exponent = k
        draft.decimate_exponent = k
        if draft.dependency is None:
            draft.dependency = sym.U

    def _read_expression(self, draft: _ProductDraft, symbol: Expression) -> None:
        """A ``(...)`` or ``sgn(...)`` factor (or a literal in brackets)."""
        term = self._bracket_term(draft, symbol)
        if isinstance(symbol, SgnExpression):
            if term.var not in sym.SYNAPTIC_VARIABLES:
                raise self._error(symbol.expr, "sgn(..) applies only to the synaptic "
                                  "variables w, d, t (plus or minus a literal)")
            if term.negated_var:
                raise self._error(symbol.expr, "the variable in sgn(..) cannot be negated")
            draft.factors.append(Factor(term.var, term.const, is_sgn=True))
        elif term.var is not None:
            draft.factors.append(Factor(term.var, term.const))

    def _bracket_term(self, draft: _ProductDraft, symbol: Expression) -> _BracketTerm:
        """Read a bracket's content; a lone literal goes into the scaling."""
        inner = list(symbol.symbol_list.list)
        if not isinstance(inner[0], Operator):
            inner.insert(0, Addition())
        operators_ok = all(isinstance(s, (Addition, Subtraction)) for s in inner[0::2])
        if len(inner) == 2 and operators_ok:
            sign = -1 if isinstance(inner[0], Subtraction) else 1
            if isinstance(inner[1], Literal):
                draft.scale(inner[1], sign)
                return _BracketTerm(None, None, False)
            if isinstance(inner[1], Variable) and sign == 1:
                return _BracketTerm(inner[1].expr, None, False)
        if len(inner) == 4 and operators_ok:
            return self._variable_plus_literal(draft, inner)
        raise self._error(symbol.expr, BRACKET_GRAMMAR)

    def _variable_plus_literal(self, draft: _ProductDraft, inner: List[Symbol]) -> _BracketTerm:
        """``[+-] v [+-] L`` or ``[+-] L [+-] v``; a negated v negates the product."""
        factor_kinds = (Dependency, Variable)
        if isinstance(inner[1], factor_kinds) and isinstance(inner[3], Literal):
            var_sign, var, const_sign, literal = inner
        elif isinstance(inner[3], factor_kinds) and isinstance(inner[1], Literal):
            const_sign, literal, var_sign, var = inner
        else:
            raise self._error("(" + "".join(s.expr for s in inner) + ")", BRACKET_GRAMMAR)
        const = _literal_value(literal) * (-1 if isinstance(const_sign, Subtraction) else 1)
        negated = isinstance(var_sign, Subtraction)
        if negated:
            draft.s_mantissa = -draft.s_mantissa
            const = -const
        return _BracketTerm(var.expr, const, negated)

    def _normalise_scaling(self, draft: _ProductDraft) -> None:
        """Move factors of two from the mantissa to the exponent while the
        mantissa is out of range; check the ranges and the dependency."""
        while abs(draft.s_mantissa) > S_MANT_MAX and draft.s_mantissa % 2 == 0 \
                and draft.s_exp < S_EXP_MAX:
            draft.s_mantissa //= 2
            draft.s_exp += 1
        if draft.dependency is None:
            raise self._error(draft.text, "every product has a dependency: x0, y0 or uK")
        if not S_MANT_MIN <= draft.s_mantissa <= S_MANT_MAX:
            raise self._error(draft.text, f"the scaling mantissa {draft.s_mantissa} is not "
                              f"{S_MANT_MIN}..{S_MANT_MAX} times a power of two")
        if not S_EXP_MIN <= draft.s_exp <= S_EXP_MAX:
            raise self._error(draft.text, f"the scaling exponent {draft.s_exp} is out of "
                              f"range {S_EXP_MIN}..{S_EXP_MAX}")

    def __str__(self) -> str:
        return (f"ProductSeries: decimate_exponent={self._decimate_exponent}\n"
                + "".join(str(p) for p in self._products))
