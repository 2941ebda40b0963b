"""The ``kilauea`` command's exit statuses."""
from __future__ import annotations

import enum

__all__ = ["ExitCode"]


class ExitCode(enum.IntEnum):
    """The command's exit status."""
    OK = 0
    FAILED = 1
    USAGE = 2          # click's status for a bad option or argument
    UNAVAILABLE = 3    # the feature is not part of this installation
