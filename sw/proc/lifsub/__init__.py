"""LIFSubtract: LIF with reset by subtraction (snnTorch's default reset)."""
