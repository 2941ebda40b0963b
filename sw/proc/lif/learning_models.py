"""CPU ProcessModels of LearningLIF: LIF's step (float and fixed point, as
:mod:`.models`) with the learning neuron's ports and Vars; nothing is sent on the
learning ports (as lava-nc 0.10's LearningLIF models)."""
from __future__ import annotations

from ..plastic.neuron_models import LearningNeuronModelFixed, LearningNeuronModelFloat
from .._api import CPU, LoihiProtocol, implements, requires, tag
from .learning import LearningLIF
from .models import AbstractPyLifModelFixed, AbstractPyLifModelFloat


@implements(proc=LearningLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("bit_accurate_loihi", "fixed_pt")
class PyLearningLIFModelFixed(LearningNeuronModelFixed, AbstractPyLifModelFixed):
    """LearningLIF, fixed point (LIF's bit-exact step)."""


@implements(proc=LearningLIF, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyLearningLifModelFloat(LearningNeuronModelFloat, AbstractPyLifModelFloat):
    """LearningLIF, floating point."""
