"""Golden numpy model of the chip: executes compiled memory images per timestep.

`neuron` holds the microcode interpreter of one core's neuron phase
(`run_neuron_phase`); the whole-core / mesh model builds on it.
"""
