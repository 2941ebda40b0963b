"""User tools built on the host API, the process library and the runtime.

`quantize`: convert a floating-point LIF / Dense network to the chip's fixed point and
report the error (``kilauea.quantize``). Tools sit above everything else: the compiler,
the runtime and the host API core import nothing from here.
"""
