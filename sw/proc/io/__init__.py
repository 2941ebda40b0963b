"""Host input and output processes: ``io.source.RingBuffer`` (replays data)
and ``io.sink.RingBuffer`` (records what it receives)."""
from . import sink, source  # noqa: F401
