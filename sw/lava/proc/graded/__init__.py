"""``lava.proc.graded``."""
