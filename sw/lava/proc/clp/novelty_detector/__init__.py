"""Lava's ``lava.proc.clp.novelty_detector``."""
