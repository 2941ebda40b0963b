"""``lava.proc.spiker``."""
