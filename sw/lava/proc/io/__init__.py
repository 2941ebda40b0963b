"""``lava.proc.io``: ``source`` and ``sink`` ring buffers."""
from . import sink, source  # noqa: F401
