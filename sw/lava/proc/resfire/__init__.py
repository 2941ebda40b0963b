"""``lava.proc.resfire``."""
