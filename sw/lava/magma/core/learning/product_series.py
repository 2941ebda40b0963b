"""Lava's ``lava.magma.core.learning.product_series``: kilauea's names under Lava's path."""
from .....learning.product_series import *  # noqa: F401,F403
from .....learning.product_series import __all__  # noqa: F401
