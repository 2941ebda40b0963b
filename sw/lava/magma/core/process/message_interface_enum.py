"""Lava's ``lava.magma.core.process.message_interface_enum``.

``ActorType`` names the message infrastructure a Lava Runtime runs its
processes on. Kilauea runs every process in one OS process (the models are
scheduled, not forked: docs/host-api.md), so a Runtime accepts the value and
ignores it.
"""
from enum import IntEnum


class ActorType(IntEnum):
    MultiProcessing = 0


__all__ = ["ActorType"]
