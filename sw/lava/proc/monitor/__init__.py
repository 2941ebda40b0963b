"""``lava.proc.monitor``."""
