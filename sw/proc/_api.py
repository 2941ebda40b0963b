"""The host API names the process library builds on, imported in one place.

They come from the host API framework (``kilauea.core``); the library's
processes and models use them exactly as lava-nc's library uses
``lava.magma.core``.
"""
import typing as _ty

from ..core.process import AbstractProcess  # noqa: F401
from ..core.variable import Var  # noqa: F401
from ..core.ports import InPort, OutPort, RefPort  # noqa: F401
from ..core.model import PyLoihiProcessModel  # noqa: F401
from ..core.pytypes import (LavaPyType, PyInPort, PyOutPort,  # noqa: F401
                            PyRefPort)
from ..core.decorators import implements, requires, tag  # noqa: F401
from ..core.resources import CPU  # noqa: F401
from ..core.protocols import LoihiProtocol  # noqa: F401

try:  # Lava's logging configuration, when the host API provides one
    from ..core.process import LogConfig  # noqa: F401
except ImportError:  # accepted and handed to AbstractProcess like any kwarg
    LogConfig = _ty.Any
