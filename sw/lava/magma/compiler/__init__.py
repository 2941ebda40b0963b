"""Lava's ``lava.magma.compiler``."""
