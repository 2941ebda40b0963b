"""Golden numpy model of the chip: executes compiled memory images per timestep.

`chip` (GoldenChip, GoldenTile) on `mesh` (the stacked memories of all tiles
and the whole-mesh step operations), `neuron` (the microcode interpreter of
the neuron phase, mesh-wide or for one core: `run_neuron_phase`), `ops` (the
semantics of each instruction over a compartment vector), `delivery` (the
synaptic events of spike packets, as a pure function).
"""
