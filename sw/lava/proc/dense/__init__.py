"""``lava.proc.dense``."""
