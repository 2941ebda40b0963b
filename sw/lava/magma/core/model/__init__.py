"""Lava's ``lava.magma.core.model``."""
