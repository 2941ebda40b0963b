"""Lava's ``lava.magma.core.learning.learning_rule_applier``: kilauea's names under Lava's path."""
from .....learning.applier import *  # noqa: F401,F403
from .....learning.applier import __all__  # noqa: F401
