"""The runtime: model selection, building, and the CPU executor."""
