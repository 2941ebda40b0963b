"""Lava's ``lava.proc.clp``: kilauea's CLP processes under Lava's path."""
