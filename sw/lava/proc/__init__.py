"""Lava's process library, ``lava.proc``."""
