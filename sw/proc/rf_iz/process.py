"""RF_IZ (lava-nc 0.10's ``lava.proc.rf_iz.process``): RF's Vars and
ports; spikes on ``imag >= vth`` and resets. See ``docs/processes.md``,
"RF, RF_IZ". Chip model: ``ncmodels.NcRF_IZModel`` (program ``rf_iz``).
"""
from __future__ import annotations

from ..rf.process import RF

__all__ = ["RF_IZ"]


class RF_IZ(RF):  # noqa: N801 (Lava's name)
    """Resonate-and-fire neurons that spike when ``imag >= vth``, then set
    ``real = 0`` and ``imag = vth - 1e-5`` (fixed point: ``vth - 1``).
    Parameters, ports and Vars as :class:`~kilauea.proc.rf.process.RF`."""
