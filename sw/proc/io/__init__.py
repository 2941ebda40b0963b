"""Host input and output processes: ``io.source.RingBuffer`` (replays data),
``io.sink.RingBuffer`` (records what it receives), ``io.injector.Injector``
and ``io.extractor.Extractor`` (push / pull data while the network runs,
channel policies in ``io.utils``), ``io.dataloader.SpikeDataloader`` and
``StateDataloader`` (stream a dataset)."""
from . import sink, source  # noqa: F401
from . import dataloader, extractor, injector, utils  # noqa: F401,E402
