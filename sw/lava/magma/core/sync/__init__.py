"""Lava's ``lava.magma.core.sync``."""
