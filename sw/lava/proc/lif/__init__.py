"""``lava.proc.lif``."""
