"""The neurocore: memories, synapse engine, neuron engine, fan-out engine."""
