"""``lava.proc.prodneuron``."""
