"""Lava's ``lava.utils.loihi``: whether lava-loihi (Intel's Loihi 2 backend)
is installed, and how to reach a Loihi 2 host.

Kilauea has no lava-loihi: ``is_lava_loihi_installed()`` is False and the
``use_*_host`` functions raise ``ImportError``, as Lava's do without
lava-loihi. To run on kilauea's emulated chip use ``Loihi2HwCfg()``.
"""
import enum
import importlib.util
import typing as ty

host: ty.Optional[str] = None

_NO_LOIHI = ("lava-loihi is not installed (kilauea has no physical Loihi 2); "
             "run on kilauea's emulated chip with Loihi2HwCfg() instead")


class ChipGeneration(enum.Enum):
    N3B2 = "N3B2"
    N3B3 = "N3B3"
    N3C1 = "N3C1"


def is_lava_loihi_installed(module_name: ty.Optional[str] = None) -> bool:
    """False without ``module_name`` (kilauea never has lava-loihi); with
    one, whether that module can be imported (Lava's meaning)."""
    if module_name is None:
        return False
    try:
        return importlib.util.find_spec(module_name) is not None
    except (ImportError, ValueError):
        return False


def use_slurm_host(partition: ty.Optional[str] = None, board: ty.Optional[str] = None,
                   loihi_gen: ty.Optional[ChipGeneration] = ChipGeneration.N3B3) -> None:
    """Lava: route runs to a Loihi 2 host through SLURM. Raises ImportError."""
    raise ImportError(_NO_LOIHI)


def use_ethernet_host(host_address: str,
                      host_binary_path: ty.Optional[str] = "nxcore/bin/nx_driver_server",
                      loihi_gen: ty.Optional[ChipGeneration] = ChipGeneration.N3B3) -> None:
    """Lava: connect to a Loihi 2 host on the network. Raises ImportError."""
    raise ImportError(_NO_LOIHI)


__all__ = ["host", "ChipGeneration", "is_lava_loihi_installed", "use_slurm_host",
           "use_ethernet_host"]
