"""Resources a ProcessModel may require (``@requires``), as in Lava.

``CPU`` models run on the host. ``NeuroCore`` / ``Loihi2NeuroCore`` (and
kilauea's own ``KilaueaNeuroCore``) mark models meant for a neuromorphic
core: the chip run configuration selects those, the CPU one never does.
"""


class AbstractResource:
    """A compute or peripheral resource a model needs."""


class AbstractComputeResource(AbstractResource):
    """A resource that executes models."""


class AbstractPeripheralResource(AbstractResource):
    """A peripheral (e.g. a sensor) a model needs."""


class AbstractNode:
    """A board or host hosting compute resources."""


class CPU(AbstractComputeResource):
    """A host CPU core."""


class HostCPU(CPU):
    """The host's CPU (alias kept for Lava code)."""


class GPU(AbstractComputeResource):
    """A GPU (no kilauea executor runs it; present for Lava code)."""


class ECPU(AbstractComputeResource):
    """An embedded CPU next to the neurocores."""


class LMT(ECPU):
    """Loihi's embedded x86 core (Lava name)."""


class PB(ECPU):
    """Loihi's embedded processor (Lava name)."""


class NeuroCore(AbstractComputeResource):
    """A neuromorphic core."""


class Loihi1NeuroCore(NeuroCore):
    """A Loihi 1 neurocore (Lava name)."""


class Loihi2NeuroCore(NeuroCore):
    """A Loihi 2 neurocore (Lava name)."""


class KilaueaNeuroCore(NeuroCore):
    """A kilauea neurocore: the chip run configuration maps models with it."""


class Loihi1System(AbstractNode):
    """Lava node name."""


class Loihi2System(AbstractNode):
    """Lava node name."""
