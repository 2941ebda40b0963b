"""Conv: see process.py, models.py (CPU), ncmodels.py (chip), utils.py."""
