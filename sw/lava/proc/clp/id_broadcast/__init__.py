"""Lava's ``lava.proc.clp.id_broadcast``."""
