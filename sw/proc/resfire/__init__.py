"""RFZero: see process.py and models.py (CPU only: no chip model)."""
