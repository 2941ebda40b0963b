"""``python -m kilauea``: the ``kilauea`` command (see kilauea.cli)."""
import sys

from .cli import main

sys.exit(main())
