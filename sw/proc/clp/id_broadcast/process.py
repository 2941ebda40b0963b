"""IdBroadcast: sends its input as a graded spike."""
from __future__ import annotations

import typing as ty

from ..._api import AbstractProcess, InPort, LogConfig, OutPort, Var


class IdBroadcast(AbstractProcess):
    """Sends ``a_in`` on ``s_out`` each step and keeps it in ``val``.

    Parameters: ``shape`` (default (1,)), ``name``, ``log_config``."""

    def __init__(self, *, shape: ty.Tuple[int, ...] = (1,), name: ty.Optional[str] = None,
                 log_config: ty.Optional[LogConfig] = None) -> None:
        super().__init__(shape=shape, name=name, log_config=log_config)
        self.a_in = InPort(shape=shape)
        self.s_out = OutPort(shape=shape)
        self.val = Var(shape=shape, init=0)
