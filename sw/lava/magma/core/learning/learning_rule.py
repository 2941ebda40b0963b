"""Lava's ``lava.magma.core.learning.learning_rule``: kilauea's names under Lava's path."""
from .....learning.learning_rule import *  # noqa: F401,F403
from .....learning.learning_rule import __all__  # noqa: F401
