"""Lava's ``lava.proc.conv.utils``: kilauea's classes under Lava's path.

Beside kilauea's helpers: ``TORCH_IS_AVAILABLE`` (always False, as in
lava-nc 0.10: kilauea's convolution never uses torch) and ``conv_scipy``
(Lava's name for the float64 convolution).
"""
import numpy as np

from ....numerics import conv as _nconv
from ....proc.conv import utils as _proc_conv_utils
from ..._reexport import reexport

__all__ = reexport(globals(), _proc_conv_utils)

#: Whether the convolution uses torch: never in kilauea (as in lava-nc 0.10).
TORCH_IS_AVAILABLE = False


def conv_scipy(input_: np.ndarray, weight: np.ndarray, kernel_size,
               stride, padding, dilation, groups: int) -> np.ndarray:
    """Lava's reference convolution: ``input_`` ``(X, Y, C_in)`` with
    ``weight`` ``(C_out, KX, KY, C_in/groups)``, as float64 ``(X', Y',
    C_out)`` (``kernel_size`` is implied by ``weight``; stride, padding and
    dilation are (x, y) pairs)."""
    del kernel_size
    out = _nconv.conv2d(input_, weight, tuple(stride), tuple(padding),
                        tuple(dilation), int(groups))
    return out.astype(np.float64)


__all__ += ["TORCH_IS_AVAILABLE", "conv_scipy"]
