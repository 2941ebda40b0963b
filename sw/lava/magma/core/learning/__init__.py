"""Lava's ``lava.magma.core.learning``."""
