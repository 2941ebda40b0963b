"""RF_IZ (resonate-and-fire, Izhikevich's reset): see process.py, models.py
(CPU) and ncmodels.py (chip)."""
