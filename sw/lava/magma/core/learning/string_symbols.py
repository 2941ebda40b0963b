"""Lava's ``lava.magma.core.learning.string_symbols``: kilauea's names under Lava's path."""
from .....learning.string_symbols import *  # noqa: F401,F403
from .....learning.string_symbols import __all__  # noqa: F401
