"""Conv: a 2-D convolution connection (lava-nc 0.10 ``lava.proc.conv``).

``a_out = conv(s_in, weight)`` with the one-step delay of every connection
(each step sends what the previous step computed). Input and output are
``(X, Y, C)`` (W, H, C); the kernel ``weight`` is ``(C_out, KX, KY,
C_in / groups)``; it is a true convolution (kernel flipped, as Lava's).
See :mod:`kilauea.numerics.conv` for the equation.
"""
from __future__ import annotations

import typing as ty

import numpy as np

from ...hw.fixed_point import PAYLOAD_BITS
from .._api import AbstractProcess, InPort, LogConfig, OutPort, Var
from . import utils

__all__ = ["Conv"]


class Conv(AbstractProcess):
    """Convolution connection between neurons.

    Parameters
    ----------
    weight : numpy.ndarray
        Kernel ``(C_out, KX, KY, C_in / groups)``.
    input_shape : tuple of three ints, optional
        ``(X, Y, C_in)`` (default ``(1, 1, 1)``).
    padding, stride, dilation : int or pair of ints, optional
        Per axis (X, Y); defaults 0, 1, 1.
    groups : int, optional
        Channel groups (default 1); C_in and C_out must be multiples.
    use_graded_spike : bool, optional
        False (default): the input is binary (cast to 0/1); True: graded
        payloads multiply the weights.
    num_message_bits : int, optional
        As lava-dl passes it (0..24, default 0): > 0 also makes the input
        graded.
    name : str, optional
    log_config : LogConfig, optional

    Notes
    -----
    Ports: ``s_in`` (input_shape), ``a_out`` (``output_shape``).
    Vars: ``weight``, ``kernel_size``, ``padding``, ``stride``, ``dilation``,
    ``groups``, ``a_buf`` (the sum to send at the next step),
    ``use_graded_spike``. Attributes ``input_shape``, ``output_shape``.
    """

    def __init__(self, *, weight: np.ndarray,
                 input_shape: ty.Tuple[int, int, int] = (1, 1, 1),
                 padding: ty.Union[int, ty.Tuple[int, int]] = 0,
                 stride: ty.Union[int, ty.Tuple[int, int]] = 1,
                 dilation: ty.Union[int, ty.Tuple[int, int]] = 1,
                 groups: int = 1, use_graded_spike: bool = False,
                 name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        weight = np.asarray(weight)
        if weight.ndim != 4:
            raise ValueError(f"Conv 'weight' must be 4-D (C_out, KX, KY, C_in/groups), got "
                             f"shape {weight.shape}")
        if not (np.issubdtype(weight.dtype, np.number) and np.all(np.isfinite(weight))):
            raise ValueError("Conv 'weight' must hold finite numbers")
        input_shape = tuple(int(s) for s in input_shape)
        if len(input_shape) != 3 or min(input_shape) < 1:
            raise ValueError(f"Conv 'input_shape' must be 3 positive ints (X, Y, C), got "
                             f"{input_shape}")
        padding, stride, dilation = (utils.make_tuple(v) for v in (padding, stride, dilation))
        if min(padding) < 0 or min(stride) < 1 or min(dilation) < 1:
            raise ValueError(f"Conv: need padding >= 0, stride >= 1, dilation >= 1; got "
                             f"{padding}, {stride}, {dilation}")
        if not np.isscalar(groups) or int(groups) != groups or groups < 1:
            raise ValueError(f"Conv 'groups' must be an integer >= 1, got {groups!r}")
        groups = int(groups)
        nmb = kwargs.pop("num_message_bits", 0)
        if isinstance(nmb, bool) or not isinstance(nmb, (int, np.integer)) \
                or not 0 <= nmb <= PAYLOAD_BITS:
            raise ValueError(f"Conv 'num_message_bits' must be an integer in 0..{PAYLOAD_BITS}, "
                             f"got {nmb!r}")
        use_graded_spike = bool(use_graded_spike) or nmb > 0
        in_ch, out_ch = input_shape[-1], weight.shape[0]
        if in_ch % groups or out_ch % groups:
            raise ValueError(f"Conv: in_channels ({in_ch}) and out_channels ({out_ch}) must be "
                             f"divisible by groups ({groups})")
        if weight.shape[3] != in_ch // groups:
            raise ValueError(f"Conv 'weight' has {weight.shape[3]} input channels, expected "
                             f"C_in / groups = {in_ch // groups}")
        kernel_size = tuple(int(k) for k in weight.shape[1:3])
        output_shape = utils.output_shape(input_shape, out_ch, kernel_size, stride, padding,
                                          dilation)
        super().__init__(input_shape=input_shape, padding=padding, stride=stride,
                         dilation=dilation, groups=groups,
                         use_graded_spike=use_graded_spike, num_message_bits=int(nmb),
                         name=name,
                         log_config=log_config, **kwargs)
        self.input_shape = input_shape
        self.output_shape = output_shape
        self.s_in = InPort(shape=input_shape)
        self.a_out = OutPort(shape=output_shape)
        self.weight = Var(shape=weight.shape, init=weight)
        # the pairs' inits are tuples, as in Lava (``conv.padding.init == (1, 2)``)
        self.kernel_size = Var(shape=(2,), init=tuple(kernel_size))
        self.padding = Var(shape=(2,), init=tuple(padding))
        self.stride = Var(shape=(2,), init=tuple(stride))
        self.dilation = Var(shape=(2,), init=tuple(dilation))
        self.groups = Var(shape=(1,), init=groups)
        self.a_buf = Var(shape=output_shape, init=0)
        self.use_graded_spike = Var(shape=(1,), init=bool(use_graded_spike))
