"""RF (resonate-and-fire): see process.py and models.py (CPU only)."""
