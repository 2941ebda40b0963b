"""A compiled CXXRTL model of the chip, loaded with ctypes.

`Model(path)` opens a library made by `kilauea.sim.cxxrtl.build` and creates
one instance of the design (each `Model` is an independent chip). It runs
whole host-port jobs in C++ (`driver.cc`): `step`, `write`, `read`, `idle`;
Python calls once per job. Debug items (every named signal and memory of the
design, hierarchical names joined by spaces, e.g. ``"hostport in_fifo level"``)
can be read with `peek` and memories written with `poke_mem`.
"""
from __future__ import annotations

import ctypes
import os

import numpy as np

from ...hw import packet

__all__ = ["Model", "JOB_STEP", "JOB_WRITE", "JOB_READ", "JOB_IDLE"]

JOB_STEP, JOB_WRITE, JOB_READ, JOB_IDLE = 0, 1, 2, 3
_U64P = ctypes.POINTER(ctypes.c_uint64)


class _Config(ctypes.Structure):
    _fields_ = [("kind_off", ctypes.c_int32), ("kind_mask", ctypes.c_int32),
                ("k_spike", ctypes.c_int32), ("k_resp", ctypes.c_int32),
                ("k_ctrl", ctypes.c_int32), ("k_read", ctypes.c_int32),
                ("tag_off", ctypes.c_int32), ("tag_mask", ctypes.c_int32),
                ("rtag_off", ctypes.c_int32),
                ("op_off", ctypes.c_int32), ("op_mask", ctypes.c_int32),
                ("op_done", ctypes.c_int32), ("arg_off", ctypes.c_int32),
                ("arg_mask", ctypes.c_int64), ("cap", ctypes.c_int32)]


def _config(max_host_reads: int) -> _Config:
    """The packet-field positions the driver needs, from kilauea.hw.packet."""
    kind_off, kind_w, _ = packet.field_span("kind")
    tag_off, tag_w, _ = packet.field_span("body", "read", "tag")
    rtag_off, rtag_w, _ = packet.field_span("body", "read_resp", "tag")
    assert rtag_w == tag_w
    op_off, op_w, _ = packet.field_span("body", "ctrl", "op")
    arg_off, arg_w, _ = packet.field_span("body", "ctrl", "arg")
    return _Config(kind_off, (1 << kind_w) - 1, packet.Kind.SPIKE.value,
                   packet.Kind.READ_RESP.value, packet.Kind.CTRL.value,
                   packet.Kind.READ.value, tag_off, (1 << tag_w) - 1, rtag_off,
                   op_off, (1 << op_w) - 1, packet.CtrlOp.DONE.value,
                   arg_off, (1 << arg_w) - 1, int(max_host_reads))


def _load(path: str) -> ctypes.CDLL:
    lib = ctypes.CDLL(path)
    vp = ctypes.c_void_p
    lib.kl_create.restype = vp
    lib.kl_create.argtypes = [ctypes.POINTER(_Config)]
    lib.kl_destroy.argtypes = [vp]
    lib.kl_job.restype = ctypes.c_int
    lib.kl_job.argtypes = [vp, ctypes.c_int, _U64P, ctypes.c_int64, ctypes.c_uint64,
                           ctypes.c_uint64]
    lib.kl_cycles.restype = ctypes.c_uint64
    lib.kl_cycles.argtypes = [vp]
    lib.kl_total_cycles.restype = ctypes.c_uint64
    lib.kl_total_cycles.argtypes = [vp]
    lib.kl_result.restype = ctypes.c_int64
    lib.kl_result.argtypes = [vp, ctypes.c_int, ctypes.POINTER(_U64P)]
    lib.kl_set_out_ready.argtypes = [vp, ctypes.c_int]
    lib.kl_item_names.restype = ctypes.c_int64
    lib.kl_item_names.argtypes = [vp, ctypes.c_char_p, ctypes.c_int64]
    u32p = ctypes.POINTER(ctypes.c_uint32)
    lib.kl_item_info.restype = ctypes.c_int
    lib.kl_item_info.argtypes = [vp, ctypes.c_char_p, u32p, u32p, u32p]
    lib.kl_peek.restype = ctypes.c_int
    lib.kl_peek.argtypes = [vp, ctypes.c_char_p, ctypes.c_uint32, u32p]
    lib.kl_poke_mem.restype = ctypes.c_int
    lib.kl_poke_mem.argtypes = [vp, ctypes.c_char_p, ctypes.c_uint32, u32p, ctypes.c_uint32]
    lib.kl_trace_open.restype = ctypes.c_int
    lib.kl_trace_open.argtypes = [vp, ctypes.c_char_p]
    lib.kl_trace_enable.argtypes = [vp, ctypes.c_int]
    lib.kl_trace_flush.argtypes = [vp]
    return lib


class Model:
    """One instance of a compiled design.

    Jobs return True when done, False when the cycle bound ran out (the
    chip keeps its state; the caller reports the hang)."""

    def __init__(self, path: os.PathLike | str, max_host_reads: int):
        self.path = os.fspath(path)
        self._lib = _load(self.path)
        self._cfg = _config(max_host_reads)
        self._h = self._lib.kl_create(ctypes.byref(self._cfg))
        if not self._h:
            raise RuntimeError(f"could not create the model of {self.path}")
        self._empty = np.zeros(1, np.uint64)

    def close(self) -> None:
        if self._h:
            self._lib.kl_destroy(self._h)
            self._h = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    # -- jobs ------------------------------------------------------------------------
    def job(self, kind: int, flits: np.ndarray, bound: int, t: int = 0) -> bool:
        """Run one job (JOB_*) over `flits` (uint64); True when it completed."""
        if not self._h:
            raise RuntimeError("the model is closed")
        f = np.ascontiguousarray(flits, dtype=np.uint64)
        if not f.size:
            f = self._empty
        rc = self._lib.kl_job(self._h, kind, f.ctypes.data_as(_U64P), len(flits),
                              int(bound), int(t))
        return rc == 0

    def result(self, which: int) -> np.ndarray:
        """The last job's flits: 0 host-bound spikes, 1 read answers by
        index, 2 anything unexpected (a copy, uint64)."""
        ptr = _U64P()
        n = self._lib.kl_result(self._h, which, ctypes.byref(ptr))
        if n == 0:
            return np.zeros(0, np.uint64)
        return np.ctypeslib.as_array(ptr, shape=(n,)).copy()

    @property
    def cycles(self) -> int:
        """Counted edges of the last job."""
        return int(self._lib.kl_cycles(self._h))

    @property
    def total_cycles(self) -> int:
        """Every edge simulated so far (pick-up edges included)."""
        return int(self._lib.kl_total_cycles(self._h))

    def set_host_out_ready(self, ready: bool) -> None:
        self._lib.kl_set_out_ready(self._h, int(bool(ready)))

    # -- debug items -----------------------------------------------------------------
    def item_names(self) -> list[str]:
        n = self._lib.kl_item_names(self._h, None, 0)
        buf = ctypes.create_string_buffer(n)
        self._lib.kl_item_names(self._h, buf, n)
        return buf.raw[:n].decode().splitlines()

    def item_info(self, name: str) -> tuple[int, int, int] | None:
        """(width, depth, type) of a debug item, or None."""
        w, d, t = ctypes.c_uint32(), ctypes.c_uint32(), ctypes.c_uint32()
        if not self._lib.kl_item_info(self._h, name.encode(), ctypes.byref(w),
                                      ctypes.byref(d), ctypes.byref(t)):
            return None
        return w.value, d.value, t.value

    def peek(self, name: str, index: int = 0) -> int:
        """The value of a debug item (element `index` of a memory)."""
        info = self.item_info(name)
        if info is None:
            raise KeyError(f"no signal {name!r} in the compiled design")
        chunks = (info[0] + 31) // 32
        buf = (ctypes.c_uint32 * max(chunks, 1))()
        if not self._lib.kl_peek(self._h, name.encode(), index, buf):
            raise IndexError(f"{name}[{index}] is out of range")
        return sum(int(buf[i]) << (32 * i) for i in range(chunks))

    def poke_mem(self, name: str, index: int, words) -> None:
        """Write 32-bit-or-narrower `words` into memory `name` from `index`."""
        w = np.ascontiguousarray(words, dtype=np.uint32)
        if not self._lib.kl_poke_mem(self._h, name.encode(), index,
                                     w.ctypes.data_as(ctypes.POINTER(ctypes.c_uint32)), len(w)):
            raise KeyError(f"cannot write {len(w)} words at {index} of memory {name!r}")

    # -- waveforms -------------------------------------------------------------------
    def trace_open(self, path: str) -> None:
        if not self._lib.kl_trace_open(self._h, os.fspath(path).encode()):
            raise OSError(f"cannot open {path} for writing")

    def trace_enable(self, on: bool) -> None:
        self._lib.kl_trace_enable(self._h, int(bool(on)))

    def trace_flush(self) -> None:
        self._lib.kl_trace_flush(self._h)
