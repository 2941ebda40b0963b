"""Lava's ``lava.magma``."""
