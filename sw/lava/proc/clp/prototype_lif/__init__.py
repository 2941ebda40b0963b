"""Lava's ``lava.proc.clp.prototype_lif``."""
