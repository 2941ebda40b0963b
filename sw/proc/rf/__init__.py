"""RF (resonate-and-fire): see process.py, models.py (CPU) and ncmodels.py
(chip)."""
