"""``lava.proc.rf``."""
