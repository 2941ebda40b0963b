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

import typing as ty

import numpy as np

from ...hw import packet, words

__all__ = ["InputEncoder", "OutputDecoder"]

_PAYLOAD = words.field_span(packet.Packet, "body", "spike", "payload")
_STEP = words.field_span(packet.Packet, "body", "spike", "step")
_PAY_LO = -(1 << (_PAYLOAD.width - 1)) if _PAYLOAD.signed else 0
_PAY_HI = (1 << (_PAYLOAD.width - 1)) - 1 if _PAYLOAD.signed else _PAYLOAD.mask
_NONE = np.zeros(0, dtype=np.uint64)


class InputEncoder:
    """``HostInput.flits`` with the destinations' address bits packed once.

    ``base``: uint64 flits of every destination (index as ``hin.dst_*``),
    payload and step fields 0; None when a destination does not encode
    (``HostInput.flits`` then raises as it always did). ``owner``: the
    element each destination belongs to. The map lists an element's
    destinations together, elements in order, so the destinations of the
    nonzero elements, in index order, are the packets in
    ``HostInput.flits``' order."""

    def __init__(self, hin):
        self.hin = hin
        self.size = int(hin.size)
        self.graded = bool(hin.graded)
        ptr = np.asarray(hin.ptr, dtype=np.int64)
        self.owner = np.repeat(np.arange(self.size), np.diff(ptr))
        try:
            self.base = packet.encode_array(packet.Kind.SPIKE, hin.dst_x, hin.dst_y,
                                            axon=hin.dst_axon, payload=0, step=0)
        except ValueError:
            self.base = None

    def _fast(self, v: np.ndarray) -> bool:
        """`v` can take the fast path (else ``HostInput.flits`` decides)."""
        return v.size == self.size and not (self.graded and v.dtype.kind not in "iub")

    def flits(self, t: int, value) -> np.ndarray:
        """The spike packets (uint64) of `value` sent in step t."""
        v = np.asarray(value)
        if self.base is None or not self._fast(v):
            return self.hin.flits(t, value)
        sel = v.reshape(-1)[self.owner]
        idx = np.flatnonzero(sel)
        if not idx.size:
            return _NONE
        out = self._pack(idx, sel[idx], np.full(idx.size, t, np.int64))
        return out if out is not None else self.hin.flits(t, value)   # raises, naming it

    def flits_many(self, ts, values) -> ty.Optional[tuple[np.ndarray, np.ndarray]]:
        """The packets of several sends at once: `values[i]` sent in step
        `ts[i]`. Returns (flits, counts): the concatenation of
        ``flits(ts[i], values[i])`` over i, and each one's length; None when
        one of them is not for the fast path (``flits`` then tells)."""
        if self.base is None:
            return None
        rows = []
        for v in values:
            v = np.asarray(v)
            if not self._fast(v):
                return None
            rows.append(v.reshape(-1))
        sel = np.stack(rows)[:, self.owner] if rows else np.zeros((0, self.owner.size))
        r, idx = np.nonzero(sel)
        out = self._pack(idx, sel[r, idx], np.asarray(ts, dtype=np.int64)[r])
        if out is None:
            return None
        return out, np.bincount(r, minlength=len(rows)).astype(np.int64)

    def _pack(self, idx, vals, t_sent) -> ty.Optional[np.ndarray]:
        """Flits to destinations `idx` of the nonzero values `vals` sent in
        steps `t_sent`; None if a graded payload does not fit its field."""
        step = (t_sent + self.hin.step_offset) % (1 << _STEP.width)
        out = self.base[idx] | (step.astype(np.uint64) << np.uint64(_STEP.offset))
        if self.graded:
            pay = np.asarray(vals).astype(np.int64)
            if pay.size and (pay.min() < _PAY_LO or pay.max() > _PAY_HI):
                return None
            out |= (pay.astype(np.uint64) & np.uint64(_PAYLOAD.mask)) << np.uint64(_PAYLOAD.offset)
        else:
            out |= np.uint64(1 << _PAYLOAD.offset)
        return out


class OutputDecoder:
    """``HostOutput.values`` for many steps at once: the (steps, size)
    vectors of a chip OutPort from host-bound spikes tagged with their step."""

    def __init__(self, hout):
        self.hout = hout
        self.size = int(hout.size)
        self.base = int(hout.axon_base)
        self.graded = bool(hout.graded)

    def values(self, n: int, row: np.ndarray, axon: np.ndarray, payload: np.ndarray) -> np.ndarray:
        """int64 array (n, size): row j holds ``HostOutput.values`` of the
        spikes with ``row == j`` (axons and payloads as int64)."""
        a = axon - self.base
        sel = (a >= 0) & (a < self.size)
        out = np.zeros((n, self.size), dtype=np.int64)
        out[row[sel], a[sel]] = payload[sel] if self.graded else 1
        return out

