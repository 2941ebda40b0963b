"""``LinearMap``: what a chain of NIR linear nodes amounts to (one Dense)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["LinearMap"]


@dataclass(frozen=True)
class LinearMap:
    """``y = weight @ x + bias`` on flat C-order vectors; ``shape``: y's
    shape as NIR gives it (``(C, H, W)`` after a convolution)."""
    weight: np.ndarray
    bias: np.ndarray
    shape: tuple[int, ...]

    @staticmethod
    def identity(shape: tuple[int, ...]) -> "LinearMap":
        n = int(np.prod(shape))
        return LinearMap(np.eye(n), np.zeros(n), tuple(shape))

    def then(self, nxt: "LinearMap") -> "LinearMap":
        """This map followed by ``nxt``."""
        return LinearMap(nxt.weight @ self.weight, nxt.weight @ self.bias + nxt.bias, nxt.shape)
