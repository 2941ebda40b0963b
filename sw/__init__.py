"""kilauea: host API."""
