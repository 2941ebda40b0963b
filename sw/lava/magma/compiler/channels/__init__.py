"""Lava's ``lava.magma.compiler.channels``."""
