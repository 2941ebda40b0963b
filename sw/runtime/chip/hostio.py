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
        """(destination index, position in `nz` of its element) of the
        packets of elements `nz`, in order: element by element, each
        element's destinations in map order."""
        if self.single:
            return self.ptr[nz], np.arange(nz.size)
        cnt = self.count[nz]
        pos = np.repeat(np.arange(nz.size), cnt)
        start = np.cumsum(cnt) - cnt
        return self.ptr[nz][pos] + (np.arange(int(cnt.sum())) - start[pos]), pos

    def flits(self, t: int, value) -> np.ndarray:
        """The spike packets (uint64) of `value` sent in step t."""
        v = np.asarray(value)
        if self.base is None or v.size != self.size or (self.graded and v.dtype.kind not in "iub"):
            return self.hin.flits(t, value)
        v = v.reshape(-1)
        nz = np.flatnonzero(v)
        if not nz.size:
            return _NONE
        out = self._pack(v[nz], nz, np.zeros(nz.size, np.int64), np.array([t], np.int64))
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
            if v.size != self.size or (self.graded and v.dtype.kind not in "iub"):
                return None
            rows.append(v.reshape(-1))
        m = np.stack(rows) if rows else np.zeros((0, self.size))
        r, e = np.nonzero(m)
        ts = np.asarray(ts, dtype=np.int64)
        out = self._pack(m[r, e], e, r, ts)
        if out is None:
            return None
        cnt = self.count[e] if not self.single else np.ones(e.size, np.int64)
        return out, np.bincount(r, weights=cnt, minlength=len(ts)).astype(np.int64)

    def _pack(self, vals, nz, row, ts) -> ty.Optional[np.ndarray]:
        """Flits of the nonzero values `vals` of elements `nz` sent in steps
        ts[row]; None if a graded payload does not fit its field."""
        idx, owner = self._indices(nz)
        step = (ts[row[owner]] + self.hin.step_offset) % (1 << _STEP.width)
        out = self.base[idx] | (step.astype(np.uint64) << np.uint64(_STEP.offset))
        if self.graded:
            pay = np.asarray(vals)[owner].astype(np.int64)
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

