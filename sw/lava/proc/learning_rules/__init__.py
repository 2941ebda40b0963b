"""Lava's ``lava.proc.learning_rules``."""
