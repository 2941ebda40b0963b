"""Lava's ``lava.proc.clp.nsm``."""
