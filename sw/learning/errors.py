"""The error a bad learning rule raises, naming what is wrong and where."""
from __future__ import annotations

from typing import Optional

from kilauea.core.exceptions import KilaueaError


class LearningRuleError(KilaueaError, ValueError):
    """A learning rule that does not follow the grammar (docs/learning.md).

    `target` is the rule (``dw``, ``dd``, ``dt``; None when unknown), `term` the
    part of the rule string at fault, `grammar` the grammar rule it breaks.
    A ValueError, as lava-nc raises for the same inputs."""

    def __init__(self, target: Optional[str], term: str, grammar: str,
                 rule: Optional[str] = None) -> None:
        self.target = target
        self.term = term
        self.grammar = grammar
        self.rule = rule
        where = f"learning rule {target}" if target else "learning rule"
        if rule is not None:
            where += f" = {rule!r}"
        super().__init__(f"{where}: term {term!r}: {grammar}")
