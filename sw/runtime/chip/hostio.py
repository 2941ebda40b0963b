"""Host-port packet encoding for the chip node, precomputed once per map
(docs/chip-runtime.md, "The per-step path").

``InputEncoder(hin)`` computes exactly ``HostInput.flits(t, values)`` (the
compiler's rule: an element sends a SPIKE packet to each of its
destinations in step t when its value is nonzero; payload the value when
graded, else 1; step field ``t + step_offset`` mod 256), but packs the
address part of every destination's flit (kind, dst x/y, axon: 64-bit
words, ``kilauea.hw.packet``) once, so a step costs a gather and two ORs.
Inputs it does not take on the fast path (a wrong size, graded float
values, a destination that does not encode) go to ``HostInput.flits``
itself, which raises its own errors.
"""
from __future__ import annotations

import numpy as np

from ...hw import packet, words

__all__ = ["InputEncoder"]

_PAYLOAD = words.field_span(packet.Packet, "body", "spike", "payload")
_STEP = words.field_span(packet.Packet, "body", "spike", "step")
_PAY_LO = -(1 << (_PAYLOAD.width - 1)) if _PAYLOAD.signed else 0
_PAY_HI = (1 << (_PAYLOAD.width - 1)) - 1 if _PAYLOAD.signed else _PAYLOAD.mask
_NONE = np.zeros(0, dtype=np.uint64)


class InputEncoder:
    """``HostInput.flits`` with the destinations' address bits packed once.

    ``base``: uint64 flits of every destination (index as ``hin.dst_*``),
    payload and step fields 0; None when a destination does not encode
    (``HostInput.flits`` then raises as it always did)."""

    def __init__(self, hin):
        self.hin = hin
        self.size = int(hin.size)
        self.graded = bool(hin.graded)
        self.ptr = np.asarray(hin.ptr, dtype=np.int64)
        self.count = np.diff(self.ptr)
        self.single = bool(np.all(self.count == 1))     # one destination per element
        try:
            self.base = packet.encode_array(packet.Kind.SPIKE, hin.dst_x, hin.dst_y,
                                            axon=hin.dst_axon, payload=0, step=0)
        except ValueError:
            self.base = None

    def _indices(self, nz: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(destination index, owning element) of the packets of elements `nz`."""
        if self.single:
            return self.ptr[nz], nz
        cnt = self.count[nz]
        owner = np.repeat(nz, cnt)
        start = np.cumsum(cnt) - cnt
        return self.ptr[owner] + (np.arange(int(cnt.sum())) - np.repeat(start, cnt)), owner

    def flits(self, t: int, value) -> np.ndarray:
        """The spike packets (uint64) of `value` sent in step t."""
        v = np.asarray(value)
        if self.base is None or v.size != self.size or (self.graded and v.dtype.kind not in "iub"):
            return self.hin.flits(t, value)
        v = v.reshape(-1)
        nz = np.flatnonzero(v)
        if not nz.size:
            return _NONE
        idx, owner = self._indices(nz)
        step = (t + self.hin.step_offset) % (1 << _STEP.width)
        out = self.base[idx] | np.uint64(step << _STEP.offset)
        if self.graded:
            pay = v[owner].astype(np.int64)
            if pay.min() < _PAY_LO or pay.max() > _PAY_HI:
                return self.hin.flits(t, value)         # raises, naming the value
            out |= (pay.astype(np.uint64) & np.uint64(_PAYLOAD.mask)) << np.uint64(_PAYLOAD.offset)
        else:
            out |= np.uint64(1 << _PAYLOAD.offset)
        return out

