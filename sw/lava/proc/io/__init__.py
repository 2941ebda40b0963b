"""``lava.proc.io``: ``source`` and ``sink`` ring buffers, ``injector``,
``extractor``, ``utils`` (ChannelConfig) and ``dataloader``."""
from . import sink, source  # noqa: F401
from . import dataloader, extractor, injector, utils  # noqa: F401,E402
