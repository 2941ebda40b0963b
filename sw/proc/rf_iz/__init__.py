"""RF_IZ (resonate-and-fire, Izhikevich's reset): see process.py and
models.py (CPU only)."""
