"""Lava's ``lava.magma.core``."""
