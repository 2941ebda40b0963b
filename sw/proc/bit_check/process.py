"""BitCheck (lava-nc 0.10's ``lava.proc.bit_check.process``): watches
another process's Var through a RefPort and records whether its value ever
left ``bits`` bits signed. See ``docs/processes.md``, "BitCheck". CPU only.
"""
from __future__ import annotations

import typing as ty

from ...numerics.bit_check import BITS_MAX, BITS_MIN
from .._api import AbstractProcess, LogConfig, RefPort, Var

__all__ = ["BitCheck"]


class BitCheck(AbstractProcess):
    """Checks a Var for overflow of ``bits`` bits after every step.

    Connect it with ``connect_var(var)``; after each step (management
    phase) the model reads the Var and sets ``overflowed`` to 1 when a value,
    taken as int32, is not a ``bits``-bit signed number. With ``debug=1`` it
    prints the value each step and the details of an overflow.

    Parameters
    ----------
    layerid : int, optional
        A label printed with debug output (default None).
    debug : int, optional
        1: print (default 0).
    bits : int, optional
        Width to check, 1..31 (default 24).
    name : str, optional
    log_config : LogConfig, optional

    Other keyword arguments (e.g. ``shape``) are accepted and ignored, as in
    lava-nc. RefPort: ``state``. Vars: ``layerid``, ``debug``, ``bits``,
    ``_overflowed`` (shape (1,), then the watched Var's after
    ``connect_var``).
    """

    def __init__(self, *, layerid: ty.Optional[int] = None, debug: ty.Optional[int] = 0,
                 bits: ty.Optional[int] = 24, name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None, **kwargs) -> None:
        super().__init__(name=name, log_config=log_config, **kwargs)
        if isinstance(bits, bool) or not BITS_MIN <= bits <= BITS_MAX:
            raise ValueError(f"BitCheck 'bits' must lie in {BITS_MIN}..{BITS_MAX}, "
                             f"got {bits!r}")
        shape = (1,)
        self.state = RefPort(shape)
        self.layerid = Var(shape=shape, init=layerid)
        self.debug = Var(shape=shape, init=debug)
        self.bits = Var(shape=shape, init=bits)
        self._overflowed = Var(shape=shape, init=0)

    def connect_var(self, var: Var) -> None:
        """Watch ``var``: the RefPort and the Vars take its shape."""
        self.state = RefPort(var.shape)
        self.state.connect_var(var)
        self.layerid = Var(shape=var.shape, init=self.layerid.init)
        self.debug = Var(shape=var.shape, init=self.debug.init)
        self.bits = Var(shape=var.shape, init=self.bits.init)
        self._overflowed = Var(shape=var.shape, init=self._overflowed.init)
        self._post_init()

    @property
    def shape(self) -> ty.Tuple[int, ...]:
        """The shape of the watched Var ((1,) before ``connect_var``)."""
        return self.state.shape

    @property
    def overflowed(self) -> int:
        """1 once the watched Var overflowed, else 0."""
        return self._overflowed.get()
