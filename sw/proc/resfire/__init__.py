"""RFZero: see process.py, models.py (CPU) and ncmodels.py (chip)."""
