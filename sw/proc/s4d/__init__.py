"""S4d, SigmaS4dDelta and SigmaS4dDeltaLayer: see process.py and models.py
(CPU only, floating point: no chip model)."""
