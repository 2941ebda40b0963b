"""Lava's ``lava.magma.core.learning.random``: kilauea's names under Lava's path."""
from .....learning.random import *  # noqa: F401,F403
from .....learning.random import __all__  # noqa: F401
