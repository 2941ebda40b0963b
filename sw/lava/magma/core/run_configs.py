"""Lava's ``lava.magma.core.run_configs``: kilauea's classes under Lava's path.

``Loihi2HwCfg`` / ``Loihi1HwCfg`` (Lava's hardware run configurations) are
kilauea's ``ChipCfg``: the processes with chip models run on the emulated
chip, the others on the host CPU. Usable with no arguments.
"""
from ....core import run_configs as _core_run_configs
from ....core.run_configs import ChipCfg
from ..._reexport import reexport

__all__ = reexport(globals(), _core_run_configs)


class Loihi2HwCfg(ChipCfg):
    """Lava's name for the chip run configuration (kilauea's ``ChipCfg``)."""


class Loihi1HwCfg(ChipCfg):
    """Lava's name for the chip run configuration (kilauea's ``ChipCfg``)."""


__all__ += ["Loihi2HwCfg", "Loihi1HwCfg"]
