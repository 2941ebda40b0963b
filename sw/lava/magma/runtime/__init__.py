"""Lava's ``lava.magma.runtime``."""
