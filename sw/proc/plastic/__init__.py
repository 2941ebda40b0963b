"""Plasticity shared by the learning processes (lava-nc 0.10's learning engine on the CPU).

- :mod:`.process`: ``LearningConnectionProcess`` (the Vars and ports every plastic
  connection adds: traces x0..x2 / y0..y3, within-epoch spike times, tags, the rule's
  strings, taus and impulses) and ``LearningNeuronProcess`` (third factor, y traces).
- :mod:`.traces`: the trace arithmetic, pure numpy (impulses, decays, epoch histories,
  the trace values each dependency sees), float and fixed point.
- :mod:`.synvars`: the end of an epoch for a synaptic variable (weights, tag_1, tag_2):
  the fixed-point accumulator, its saturation and stochastic rounding.
- :mod:`.models`: the ProcessModel bases of plastic connections
  (``LearningConnectionModelFloat`` / ``LearningConnectionModelBitApproximate``);
  :mod:`.step`: the spike phase LearningDense and LearningSparse share;
  :mod:`.neuron_models`: the bases of learning neuron models.

The step, the rounding rules and the random streams: ``docs/learning.md``, "How a
plastic connection steps".
"""
