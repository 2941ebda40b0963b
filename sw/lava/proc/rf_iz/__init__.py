"""``lava.proc.rf_iz``."""
