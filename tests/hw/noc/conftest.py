"""Make this directory's helper modules (noc_harness, noc_testcore) importable."""
import sys
from pathlib import Path

_here = str(Path(__file__).resolve().parent)
if _here not in sys.path:
    sys.path.insert(0, _here)
