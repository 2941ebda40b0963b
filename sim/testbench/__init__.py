"""Simulation test benches that drive single RTL components (`kilauea.hw`)
in Amaranth's simulator, for the tests and benches."""
