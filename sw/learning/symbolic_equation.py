"""The learning-rule string parser: a rule string -> a list of symbols.

The grammar (docs/learning.md, "Grammar") is read left to right, one token
at a time, trying the token kinds in the order of `SYMBOL_CLASSES`: the
operators ``+ - *``, the dependencies ``x0``, ``y0``, ``uK`` (K one digit),
the variables ``x1 x2 y1 y2 y3 w d t``, a bracket ``( ... )``, a sign
``sgn( ... )`` and a literal (``M*2^E``, ``2^E`` or ``M``, each with an
optional sign). Brackets are parsed recursively into their own
`SymbolList`. Spaces do not matter. The meaning of the symbols (which
product each belongs to, the scaling factor) is `product_series`'s job.

The classes and their attributes are lava-nc's (``Symbol.find``,
``expr``, ``SymbolList.list``, ``Literal.mantissa`` ...), so code that
builds or inspects symbols directly keeps working.
"""
from __future__ import annotations

import re
from abc import ABC
from typing import ClassVar, List, Optional, Tuple, Type

from . import string_symbols as sym
from .errors import LearningRuleError

__all__ = [
    "Symbol", "SymbolList", "Operator", "Addition", "Subtraction", "Multiplication",
    "FactorSym", "Dependency", "X0", "Y0", "Uk", "Variable", "Expression",
    "BracketExpression", "SgnExpression", "Literal", "SYMBOL_CLASSES", "SymbolicEquation",
]

#: What the parser expects where it found something else (for error messages).
EXPECTED = ("an operator (+ - *), a dependency (x0, y0, u0..u9), a trace (x1, x2, "
            "y1, y2, y3), a synaptic variable (w, d, t), '(...)', 'sgn(...)' or "
            "a literal (M, 2^E, M*2^E)")


class Symbol(ABC):
    """One token of a rule string; `expr` is the text it was read from."""

    #: The token's regular expression, matched at the start of the text.
    pattern: ClassVar[Optional[str]] = None

    def __init__(self, expr: str = "") -> None:
        self._expr = expr

    @property
    def expr(self) -> str:
        """The text this symbol was read from."""
        return self._expr

    @expr.setter
    def expr(self, expr: str) -> None:
        self._expr = expr

    def __str__(self) -> str:
        return f"{type(self).__name__}({self._expr})"

    @staticmethod
    def find_expr(expr: str, reg_expr: str,
                  symbol: "Symbol") -> Tuple[Optional["Symbol"], str]:
        """`symbol` holding the text `reg_expr` matches at the start of `expr`,
        and the rest of `expr`; (None, expr) when it does not match."""
        match = re.match(reg_expr, expr)
        if match is None:
            return None, expr
        symbol.expr = match.group()
        return symbol, expr[match.end():]

    @classmethod
    def find(cls, expr: str) -> Tuple[Optional["Symbol"], str]:
        """A symbol of this kind read from the start of `expr`, and the rest of
        `expr`; (None, expr) when `expr` does not start with one."""
        return Symbol.find_expr(expr, cls.pattern, cls())


class SymbolList(Symbol):
    """A sequence of symbols: a whole rule or a bracket's content."""

    def __init__(self) -> None:
        super().__init__("")
        self._list: List[Symbol] = []

    @property
    def list(self) -> List[Symbol]:
        """The symbols in reading order."""
        return self._list

    def append(self, symbol: Symbol) -> None:
        """Add `symbol` at the end (its text too)."""
        self._list.append(symbol)
        self._expr += symbol.expr

    def __str__(self) -> str:
        return "[" + ", ".join(str(s) for s in self._list) + "]"


class Operator(Symbol):
    """An operator: ``+``, ``-`` or ``*``."""


class Addition(Operator):
    """``+``: starts a new product."""
    pattern = r"\+"


class Subtraction(Operator):
    """``-``: starts a new product and negates its scaling mantissa."""
    pattern = r"\-"


class Multiplication(Operator):
    """``*``: joins factors (a product's factors may also simply follow each other)."""
    pattern = r"\*"


class FactorSym(Symbol):
    """A symbol that is a factor of a product."""


class Dependency(FactorSym):
    """A dependency: gates a whole product."""


class X0(Dependency):
    """``x0``: the pre-synaptic neuron spiked in the epoch."""
    pattern = sym.X0


class Y0(Dependency):
    """``y0``: the post-synaptic neuron spiked in the epoch."""
    pattern = sym.Y0


class Uk(Dependency):
    """``uK``: 1 in every ``2**K``-th epoch; `decimate_exponent` is K (one digit)."""
    pattern = r"u\d"

    def __init__(self) -> None:
        super().__init__()
        self._decimate_exponent: Optional[int] = None

    @property
    def decimate_exponent(self) -> Optional[int]:
        """K of ``uK``."""
        return self._decimate_exponent

    @decimate_exponent.setter
    def decimate_exponent(self, decimate_exponent: int) -> None:
        self._decimate_exponent = decimate_exponent

    @classmethod
    def find(cls, expr: str) -> Tuple[Optional["Uk"], str]:
        symbol, rest = Symbol.find_expr(expr, cls.pattern, cls())
        if symbol is not None:
            symbol.decimate_exponent = int(symbol.expr[1:])
        return symbol, rest


class Variable(FactorSym):
    """A trace (``x1 x2 y1 y2 y3``) or a synaptic variable (``w d t``)."""
    pattern = r"x[12]|y[123]|w|d|t"


class Expression(FactorSym):
    """A bracketed sub-expression; `sub_expr` is its text inside the brackets,
    `symbol_list` its parsed symbols."""

    #: The text that opens the expression.
    opening: ClassVar[str] = "("

    def __init__(self) -> None:
        super().__init__()
        self._sub_expr: Optional[str] = None
        self._symbol_list: Optional[SymbolList] = None

    @property
    def sub_expr(self) -> Optional[str]:
        """The text between the brackets."""
        return self._sub_expr

    @sub_expr.setter
    def sub_expr(self, sub_expr: str) -> None:
        self._sub_expr = sub_expr

    @property
    def symbol_list(self) -> Optional[SymbolList]:
        """The symbols of `sub_expr`."""
        return self._symbol_list

    @symbol_list.setter
    def symbol_list(self, symbol_list: SymbolList) -> None:
        self._symbol_list = symbol_list

    @staticmethod
    def _find_closing_bracket_idx(expr: str) -> Optional[int]:
        """Index in `expr` of the bracket that closes the first ``(``; None if
        it is never closed."""
        depth = 0
        for idx, char in enumerate(expr):
            if char in "()":
                depth += 1 if char == "(" else -1
                if depth == 0:
                    return idx
        return None

    def find_sub_expr(self, expr: str) -> str:
        """Read the expression at the start of `expr` (which starts with
        `opening`) into `sub_expr`; return the text after its closing bracket."""
        idx = self._find_closing_bracket_idx(expr)
        if idx is None:
            raise LearningRuleError(None, expr, "a bracket is never closed: every '(' "
                                    "and 'sgn(' needs its ')'")
        self._sub_expr = expr[len(self.opening):idx]
        self._expr = expr[:idx + 1]
        return expr[idx + 1:]

    @classmethod
    def find(cls, expr: str) -> Tuple[Optional["Expression"], str]:
        if not expr.startswith(cls.opening):
            return None, expr
        symbol = cls()
        return symbol, symbol.find_sub_expr(expr)

    def __str__(self) -> str:
        return f"{type(self).__name__}({self._symbol_list})"


class BracketExpression(Expression):
    """``( ... )``: a factor ``(v + c)`` or a literal in brackets."""
    opening = "("


class SgnExpression(Expression):
    """``sgn( ... )``: the sign (-1, 0, 1) of ``w``, ``d`` or ``t`` plus a constant."""
    opening = "sgn("


class Literal(Symbol):
    """A number ``M*2^E``, ``2^E`` or ``M`` (signs optional): `mantissa` M,
    `base` 2 (1 for a plain ``M``), `exponent` E; `literal_type` 0, 1, 2 for
    the three forms; `val` = int(M * base**E), truncated toward zero."""

    #: The three forms, tried in this order (literal_type = index).
    patterns: ClassVar[Tuple[str, ...]] = (
        r"[\+\-]?\d+\*2\^[\+\-]?\d+", r"[\+\-]?2\^[\+\-]?\d+", r"[\+\-]?\d+")

    def __init__(self) -> None:
        super().__init__()
        self._mantissa = 0
        self._base = 1
        self._exponent = 0
        self._literal_type: Optional[int] = None

    @property
    def mantissa(self) -> int:
        """M (for ``2^E``: the sign, +-1)."""
        return self._mantissa

    @property
    def base(self) -> int:
        """2, or 1 for a plain number."""
        return self._base

    @property
    def exponent(self) -> int:
        """E (0 for a plain number)."""
        return self._exponent

    @property
    def literal_type(self) -> Optional[int]:
        """0: ``M*2^E``, 1: ``2^E``, 2: ``M``."""
        return self._literal_type

    @literal_type.setter
    def literal_type(self, literal_type: int) -> None:
        self._literal_type = literal_type

    def to_int(self) -> None:
        """Read mantissa, base and exponent from `expr`."""
        if self._literal_type == 0:
            mantissa, exponent = self._expr.split("*2^")
            self._mantissa, self._base, self._exponent = int(mantissa), 2, int(exponent)
        elif self._literal_type == 1:
            two, exponent = self._expr.split("^")
            self._mantissa = -1 if two.startswith("-") else 1
            self._base, self._exponent = 2, int(exponent)
        elif self._literal_type == 2:
            self._mantissa, self._base, self._exponent = int(self._expr), 1, 0

    @property
    def val(self) -> int:
        """The literal's integer value, M * base**E truncated toward zero."""
        return int(self._mantissa * self._base ** self._exponent)

    @classmethod
    def find(cls, expr: str) -> Tuple[Optional["Literal"], str]:
        for literal_type, pattern in enumerate(cls.patterns):
            symbol, rest = Symbol.find_expr(expr, pattern, cls())
            if symbol is not None:
                symbol.literal_type = literal_type
                symbol.to_int()
                return symbol, rest
        return None, expr


#: The token kinds in the order the parser tries them.
SYMBOL_CLASSES: List[Type[Symbol]] = [
    Addition, Subtraction, Multiplication, X0, Y0, Uk, Variable,
    BracketExpression, SgnExpression, Literal]


def _offending_term(expression: str) -> str:
    """The text at the start of `expression` up to the next operator or bracket."""
    match = re.match(r"[^+\-*()]+", expression)
    return match.group() if match else expression[:1]


class SymbolicEquation:
    """A learning rule string read into symbols.

    `target` is the rule's left-hand side (``dw``, ``dd``, ``dt``), `symbol_list`
    its symbols. Raises `LearningRuleError` (a ValueError) naming the rule and
    the term at fault when the string does not follow the grammar."""

    def __init__(self, target: str, str_learning_rule: str) -> None:
        self._target = target
        self._str_learning_rule = str_learning_rule
        if not isinstance(str_learning_rule, str):
            raise LearningRuleError(target, repr(str_learning_rule),
                                    "a learning rule is a string", None)
        self._symbol_list = self._parse(re.sub(r"\s", "", str_learning_rule))

    @property
    def target(self) -> str:
        """The rule's left-hand side: dw, dd or dt."""
        return self._target

    @property
    def str_learning_rule(self) -> str:
        """The rule string as given."""
        return self._str_learning_rule

    @property
    def symbol_list(self) -> SymbolList:
        """The rule's symbols."""
        return self._symbol_list

    def _error(self, term: str, grammar: str) -> LearningRuleError:
        return LearningRuleError(self._target, term, grammar, self._str_learning_rule)

    def _find_next_symbol(self, expression: str) -> Tuple[Optional[Symbol], str]:
        """The symbol at the start of `expression` (a bracket parsed with its
        content) and the rest; (None, expression) when none matches."""
        for kind in SYMBOL_CLASSES:
            try:
                symbol, rest = kind.find(expression)
            except LearningRuleError as error:
                raise self._error(error.term, error.grammar) from None
            if symbol is None:
                continue
            if isinstance(symbol, Expression):
                if not symbol.sub_expr:
                    raise self._error(symbol.expr, "brackets may not be empty")
                symbol.symbol_list = self._parse(symbol.sub_expr)
            return symbol, rest
        return None, expression

    def _parse(self, expression: str) -> SymbolList:
        """`expression` (no spaces) read into a SymbolList."""
        if not expression:
            raise self._error("", "a learning rule may not be empty")
        symbol_list = SymbolList()
        while expression:
            symbol, expression = self._find_next_symbol(expression)
            if symbol is None:
                raise self._error(_offending_term(expression),
                                  f"unknown symbol; expected {EXPECTED}")
            symbol_list.append(symbol)
        return symbol_list
