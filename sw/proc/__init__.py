"""The process library: Lava's standard processes with floating-point and
bit-exact fixed-point CPU models.

Each process lives in its own package with ``process.py`` (the Process: Vars,
ports, parameter checks) and ``models.py`` (``floating_pt`` and ``fixed_pt``
ProcessModels), as in lava-nc. The arithmetic of every fixed-point model is
in :mod:`kilauea.numerics`, the single home of the spec's equations.
"""
