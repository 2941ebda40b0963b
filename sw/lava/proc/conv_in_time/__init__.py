"""``lava.proc.conv_in_time``."""
