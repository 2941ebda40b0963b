"""``lava.proc.sdn``."""
