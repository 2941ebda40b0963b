"""Lava's ``lava.magma.core.process.ports.connection_config``.

Lava passes a ``ConnectionConfig`` to ``connect``/``connect_from`` to set up
Loihi's spike I/O links (Ethernet or FPGA/PIO, probe counts, MAC
addresses). Kilauea's chip has no such links: its ports accept the
``connection_configs`` argument and ignore it, so these classes only carry
the values, with Lava's names and defaults, for code that builds them.
"""
from __future__ import annotations

import dataclasses
import enum
import typing as ty


class SpikeIOInterface(enum.IntEnum):
    """Loihi's spike I/O interface: 10G Ethernet or FPGA/PIO."""
    ETHERNET = 0
    PIO = 1


class SpikeIOPort(enum.Enum):
    """Loihi's spike I/O port (a chip edge or Ethernet)."""
    PIO_NORTH = "n"
    PIO_SOUTH = "s"
    PIO_EAST = "e"
    PIO_WEST = "w"
    PIO_UP = "u"
    PIO_DOWN = "d"
    ETHERNET = "p"


class SpikeIOMode(enum.Enum):
    """Loihi's spike I/O mode."""
    FREE_RUNNING = 0
    TIME_COMPARE = 1


@dataclasses.dataclass
class ConnectionConfig:
    """Loihi spike I/O settings of one connection (Lava's defaults)."""
    interface: SpikeIOInterface = SpikeIOInterface.ETHERNET
    num_probes: int = 4
    ethernet_packet_len: int = 256  # bytes
    ethernet_interface: str = "enp2s0"
    max_messages: int = 1024
    max_message_size: int = 4096  # bytes
    spike_io_port: SpikeIOPort = SpikeIOPort.ETHERNET
    spike_io_mode: SpikeIOMode = SpikeIOMode.TIME_COMPARE
    num_time_buckets: int = 1 << 16
    ethernet_mac_address: str = "0x90e2ba01214c"
    loihi_mac_address: str = "0x0015edbeefed"
    ethernet_chip_id: ty.Optional[ty.Tuple[int, int, int]] = None
    ethernet_chip_idx: ty.Optional[int] = None


__all__ = ["SpikeIOInterface", "SpikeIOPort", "SpikeIOMode", "ConnectionConfig"]
