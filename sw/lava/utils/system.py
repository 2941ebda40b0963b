"""Lava's ``lava.utils.system`` (deprecated in Lava in favour of
``lava.utils.loihi``, still used by tutorials): ``Loihi2`` tells whether a
physical Loihi 2 system can be used.

There is none for kilauea: ``Loihi2.is_loihi2_available`` is False, so a
ported tutorial takes its ``Loihi2SimCfg`` branch. To run on kilauea's
emulated chip instead, use ``Loihi2HwCfg()`` (kilauea's ``ChipCfg``)
directly.
"""
import os
import typing as ty


class staticproperty(property):
    """A static member function read as a property of its class."""

    def __get__(self, obj, owner=None):
        return self.fget()


class Loihi2:
    """Lava's Loihi 2 system probe, answering for kilauea."""

    preferred_partition: ty.Optional[str] = None

    @staticproperty
    def is_loihi2_available() -> bool:
        """False: kilauea has no physical Loihi 2 (no lava-loihi); its own
        chip runs with ``Loihi2HwCfg()``."""
        return False

    @staticproperty
    def partition() -> str:
        """The ``PARTITION`` environment variable, else ``'Unspecified'``."""
        return os.environ.get("PARTITION", "Unspecified")


__all__ = ["Loihi2", "staticproperty"]
