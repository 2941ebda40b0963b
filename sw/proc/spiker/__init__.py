"""Spiker, Spiker32bit: see process.py and models.py (CPU only)."""
