"""Lava's ``lava.magma.core.process.ports``."""
