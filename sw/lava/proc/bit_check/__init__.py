"""``lava.proc.bit_check``."""
