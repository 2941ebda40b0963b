"""Lava's ``lava.utils``."""
