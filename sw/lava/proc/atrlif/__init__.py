"""``lava.proc.atrlif``."""
