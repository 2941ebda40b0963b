"""``lava.proc.conv``."""
