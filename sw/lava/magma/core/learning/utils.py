"""Lava's ``lava.magma.core.learning.utils``: kilauea's names under Lava's path."""
from .....learning.utils import *  # noqa: F401,F403
from .....learning.utils import __all__  # noqa: F401
