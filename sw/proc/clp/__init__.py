"""Continually Learning Prototypes (CLP), lava-nc 0.10's ``lava.proc.clp``.

- :mod:`.prototype_lif`: ``PrototypeLIF``, LearningLIF neurons that learn one-shot: a
  third-factor input carrying a neuron's id (1-based) makes that neuron spike, sends
  its back-propagated spike and sets its y1 trace to 127 (the learning rate of a
  Loihi3FLearningRule reading y1).
- :mod:`.novelty_detector`: ``NoveltyDetector``, signals an input that no prototype
  answered within ``t_wait`` steps.
- :mod:`.nsm`: ``Readout`` (winner prototype -> label, pseudo-labels, feedback) and
  ``Allocator`` (the id of the next prototype to allocate).
- :mod:`.id_broadcast`: ``IdBroadcast``, sends its input as a graded spike.
"""
