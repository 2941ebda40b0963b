"""Lava's ``lava.magma.core.learning.constants``: kilauea's names under Lava's path."""
from .....learning.constants import *  # noqa: F401,F403
from .....learning.constants import __all__  # noqa: F401
