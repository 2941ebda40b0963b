"""``lava.proc.sparse``."""
