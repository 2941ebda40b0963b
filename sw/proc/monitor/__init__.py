"""See process.py and models.py."""
