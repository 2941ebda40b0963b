"""Lava's ``lava.magma.runtime.message_infrastructure``."""
