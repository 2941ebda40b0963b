"""``lava.proc.s4d``."""
