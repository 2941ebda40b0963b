"""Lava's ``lava.magma.core.learning.symbolic_equation``: kilauea's names under Lava's path."""
from .....learning.symbolic_equation import *  # noqa: F401,F403
from .....learning.symbolic_equation import __all__  # noqa: F401
