"""``LavaPyType`` and the Python port types a ProcessModel declares.

A model declares, as class attributes, the type of each Var and port of its
Process::

    a_in = LavaPyType(PyInPort.VEC_DENSE, np.int32, precision=24)
    v = LavaPyType(np.ndarray, np.int32, precision=24)

At build time the runtime replaces them, on the model instance, with the
Var's value (a numpy array or a Python scalar) and with a bound port object
whose ``recv`` / ``send`` / ``read`` / ``write`` move data.

Data moves by reference: ``send`` hands its array to the receivers without
copying (it converts only when the array's dtype or shape differs from the
port's declaration). A model must therefore not modify, in place, an array it
has sent or received; rebinding (``self.a_buff = ...``) is always fine.
"""
from __future__ import annotations

import collections
import dataclasses
import typing as ty

import numpy as np

from .exceptions import DeadlockError

_ndarray = np.ndarray


@dataclasses.dataclass
class LavaPyType:
    """The Python type of a Var or port in a ProcessModel.

    ``cls``: ``np.ndarray``, ``int``, ``float``, ``bool``, a sparse-matrix
    class, or a port type such as ``PyInPort.VEC_DENSE``. ``d_type``: element
    type. ``precision``: bit width (documentation; fixed-point models use it).
    """

    cls: ty.Any
    d_type: ty.Any = float
    precision: ty.Optional[int] = None
    num_bits_exp: ty.Optional[int] = None
    domain: ty.Optional[np.ndarray] = None
    constant: bool = False


# ----------------------------------------------------------------- base port
class AbstractPyPort:
    """A port bound into a running model."""

    def __init__(self, process, model, name: str, shape: tuple, d_type):
        self.process = process
        self._model = model
        self.name = name
        self._shape = tuple(shape)
        self._dtype = np.dtype(d_type)

    @property
    def shape(self):
        return self._shape

    @property
    def d_type(self):
        return self._dtype

    def full_name(self) -> str:
        return f"{self.process.name}.{self.name}"

    def join(self):
        """Lava compatibility: nothing to join in a single-process runtime."""

    def __repr__(self):
        return f"<{type(self).__name__} {self.full_name()} shape={self._shape}>"


def _default_waiter(port, chan):
    raise DeadlockError(
        f"{port.full_name()}: recv() at time step {port._model.time_step} found no "
        f"data: its sender(s) {port.sender_names()} did not send in this step "
        f"(in Lava this recv would block forever)")


# ------------------------------------------------------------------ in ports
def _pop_oldest(channel):
    return channel.popleft()


def _oldest(channel):
    return channel[0]


class PyInPort(AbstractPyPort):
    """Receives what connected OutPorts send; several senders are summed."""

    VEC_DENSE: ty.Type["PyInPortVectorDense"] = None
    VEC_SPARSE: ty.Type["PyInPortVectorSparse"] = None
    SCALAR_DENSE: ty.Type["PyInPortScalarDense"] = None
    SCALAR_SPARSE: ty.Type["PyInPortScalarSparse"] = None

    def _bind(self, links, result_dtype, waiter=None):
        """Connect to channels. ``links``: list of (deque, transform or None,
        sender name). ``result_dtype``: dtype the received data must have, or
        None when the senders' dtype already is the result (Lava returns
        ``zeros(shape, in_dtype) + data``)."""
        self._links = [(ch, fn) for ch, fn, _ in links]
        self._senders = [name for _, _, name in links]
        self._chans = [ch for ch, _, _ in links]
        self._cast = None if result_dtype is None else np.dtype(result_dtype)
        self._waiter = waiter or _default_waiter
        if not links:
            self._recv_dense = self._recv_none
        elif len(links) == 1 and links[0][1] is None and self._cast is None:
            self._ch0 = links[0][0]
            self._recv_dense = self._recv_one
        else:
            self._recv_dense = self._recv_many

    def sender_names(self) -> str:
        """The full names of the OutPorts this port receives from (for messages)."""
        return ", ".join(self._senders) or "(none)"

    @property
    def channels(self) -> tuple:
        """The channels (deques) this port receives from, once bound."""
        return tuple(self._chans)

    def set_waiter(self, waiter: ty.Callable[["PyInPort", ty.Deque], None]) -> None:
        """Hook for a scheduler: ``waiter(port, chan)`` is called when a
        ``recv``/``peek`` finds channel ``chan`` empty; it must return once
        ``chan`` holds data (e.g. after running the senders) or raise. The
        default raises ``DeadlockError``."""
        self._waiter = waiter

    def _recv_none(self):
        return np.zeros(self._shape, self._dtype)

    def _recv_one(self):
        ch = self._ch0
        if not ch:
            self._waiter(self, ch)
        return ch.popleft()

    def _sum(self, take: ty.Callable) -> np.ndarray:
        """The sum over the links of `take(channel)` (after the link's transform),
        cast to the result dtype; an empty channel goes to the waiter first."""
        total = None
        for ch, fn in self._links:
            if not ch:
                self._waiter(self, ch)
            x = take(ch)
            if fn is not None:
                x = fn(x)
            total = x if total is None else total + x
        if self._cast is not None and total.dtype != self._cast:
            total = total.astype(self._cast)
        return total

    def _recv_many(self):
        return self._sum(_pop_oldest)

    def _peek_dense(self):
        if not self._links:
            return np.zeros(self._shape, self._dtype)
        return self._sum(_oldest)

    def probe(self) -> bool:
        """True when every connected sender has data waiting."""
        for ch in self._chans:
            if not ch:
                return False
        return True

    def recv(self):
        return self._recv_dense()

    def peek(self):
        return self._peek_dense()


class PyInPortVectorDense(PyInPort):
    """``recv()`` returns a numpy array of the port's shape."""

    def _bind(self, links, result_dtype, waiter=None):
        super()._bind(links, result_dtype, waiter)
        # Fast path: the instance attribute shadows the class method.
        self.recv = self._recv_dense


def _nonzeros(dense: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sparse view of `dense`: its non-zero values and their flat indices."""
    idx = np.flatnonzero(dense)
    return dense.reshape(-1)[idx], idx


def _first_nonzero(dense: np.ndarray) -> tuple:
    """The scalar sparse view of `dense`: (value, flat index) of its first non-zero
    entry, or of entry 0 when all are zero."""
    flat = dense.reshape(-1)
    nz = np.flatnonzero(flat)
    i = int(nz[0]) if nz.size else 0
    return flat[i].item(), i


class _ViewInPort(PyInPort):
    """An InPort whose ``recv()`` / ``peek()`` return `_view` of the dense data."""

    @staticmethod
    def _view(dense: np.ndarray):
        raise NotImplementedError

    def recv(self):
        return self._view(self._recv_dense())

    def peek(self):
        return self._view(self._peek_dense())


def _scalar(dense: np.ndarray):
    """The scalar dense view: entry 0 as a Python number."""
    return dense.reshape(-1)[0].item()


class PyInPortVectorSparse(_ViewInPort):
    """``recv()`` returns ``(data, indices)`` of the non-zero entries."""
    _view = staticmethod(_nonzeros)


class PyInPortScalarDense(_ViewInPort):
    """``recv()`` returns one number."""
    _view = staticmethod(_scalar)


class PyInPortScalarSparse(_ViewInPort):
    """``recv()`` returns ``(value, index)`` of the first non-zero entry."""
    _view = staticmethod(_first_nonzero)


# ----------------------------------------------------------------- out ports
class PyOutPort(AbstractPyPort):
    """Sends data to every connected InPort."""

    VEC_DENSE: ty.Type["PyOutPortVectorDense"] = None
    VEC_SPARSE: ty.Type["PyOutPortVectorSparse"] = None
    SCALAR_DENSE: ty.Type["PyOutPortScalarDense"] = None
    SCALAR_SPARSE: ty.Type["PyOutPortScalarSparse"] = None

    def _bind(self, chans: list):
        self._chans = list(chans)
        if not chans:
            self._send_dense = self._send_none
        elif len(chans) == 1:
            self._ch0 = chans[0]
            self._send_dense = self._send_one
        else:
            self._send_dense = self._send_many

    def _coerce(self, data):
        arr = np.asarray(data)
        if arr.shape != self._shape:
            if arr.size == 1:
                return np.full(self._shape, arr.reshape(()), self._dtype)
            raise ValueError(
                f"{self.full_name()}: send() got shape {arr.shape}, the port's "
                f"shape is {self._shape}")
        if arr.dtype != self._dtype:
            arr = arr.astype(self._dtype)
        return arr

    def _send_none(self, data):
        # Unconnected: nothing to deliver, but a wrong shape is still an error
        # (it must not go unnoticed until the port is connected).
        if data.__class__ is not _ndarray or data.shape != self._shape:
            self._coerce(data)

    def _send_one(self, data):
        if data.__class__ is not _ndarray or data.dtype is not self._dtype \
                or data.shape != self._shape:
            data = self._coerce(data)
        self._ch0.append(data)

    def _send_many(self, data):
        if data.__class__ is not _ndarray or data.dtype is not self._dtype \
                or data.shape != self._shape:
            data = self._coerce(data)
        for ch in self._chans:
            ch.append(data)

    def send(self, data):
        self._send_dense(data)

    def observe_sends(self, observer: ty.Callable[[], None]) -> None:
        """Hook for a scheduler (after binding): ``observer()`` is called on
        every ``send`` of this port, before the data is delivered."""
        inner = self._send_dense

        def observed(data, _inner=inner):
            observer()
            _inner(data)
        self._send_dense = observed
        if "send" in self.__dict__:       # the vector fast path bound send itself
            self.send = observed

    def flush(self):
        """Lava compatibility: sends are delivered at once."""


class PyOutPortVectorDense(PyOutPort):
    """``send(array)`` of the port's shape."""

    def _bind(self, chans):
        super()._bind(chans)
        self.send = self._send_dense


class PyOutPortVectorSparse(PyOutPort):
    """``send(data, indices)``: values at flat indices, zero elsewhere."""

    def send(self, data, indices):
        dense = np.zeros(self._shape, self._dtype)
        dense.reshape(-1)[np.asarray(indices, dtype=np.int64)] = data
        self._send_dense(dense)


class PyOutPortScalarDense(PyOutPort):
    """``send(value)``: one number (the port has one element)."""

    def send(self, data):
        self._send_dense(np.full(self._shape, data, self._dtype))


class PyOutPortScalarSparse(PyOutPort):
    """``send(value, index)``."""

    def send(self, data, idx):
        dense = np.zeros(self._shape, self._dtype)
        dense.reshape(-1)[int(idx)] = data
        self._send_dense(dense)


# ----------------------------------------------------------- ref / var ports
class PyRefPort(AbstractPyPort):
    """Reads and writes a Var of another process (``read()``, ``write(x)``).

    Use it in the management phases (pre_mgmt, lrn, post_mgmt), as in Lava:
    a read then sees every process's state after this step's spk phase. On a
    RefPort that is connected to no Var, ``read()`` returns zeros and
    ``write(x)`` does nothing (Lava's behaviour: a model may leave one of its
    RefPorts unconnected).
    """

    VEC_DENSE: ty.Type["PyRefPortVectorDense"] = None
    VEC_SPARSE: ty.Type["PyRefPortVectorSparse"] = None
    SCALAR_DENSE: ty.Type["PyRefPortScalarDense"] = None
    SCALAR_SPARSE: ty.Type["PyRefPortScalarSparse"] = None

    #: (read, write) callables of `bind_access`, or None
    _access: ty.Optional[tuple] = None

    def _bind(self, target_model, attr: str | None, fwd=None, inv=None,
              var_shape=None, target_name: str = ""):
        """Read and write attribute `attr` of `target_model` (None: not
        connected). Through virtual ports, ``fwd(var_value)`` gives what the
        RefPort reads and ``inv(data, var_value)`` the Var's new value."""
        self._access = None
        self._tmodel = target_model
        self._tattr = attr
        self._fwd = fwd
        self._inv = inv
        self._var_shape = var_shape
        self._target_name = target_name

    def bind_access(self, read: ty.Callable[[], np.ndarray],
                    write: ty.Callable[[np.ndarray], None], var_shape: tuple,
                    target_name: str) -> None:
        """Hook for a runtime that holds the target Var itself (the chip
        runtime: its words live on the chip): from now on ``read()`` returns
        ``read()`` (the Var's whole value, shape `var_shape`) and ``write(x)``
        calls ``write(x)``; no transform applies."""
        self._bind(None, "<external>", var_shape=var_shape, target_name=target_name)
        self._access = (read, write)

    def _read_dense(self):
        if self._access is not None:
            return self._access[0]()
        if self._tattr is None:
            return np.zeros(self._shape, self._dtype)
        val = getattr(self._tmodel, self._tattr)
        arr = np.array(val, dtype=self._dtype)  # a copy, like Lava's channel
        if arr.shape != self._var_shape:
            arr = np.broadcast_to(arr, self._var_shape).copy()
        if self._fwd is not None:
            arr = self._fwd(arr)
        return arr

    def _write_dense(self, data):
        if self._access is not None:
            self._access[1](data)
            return
        if self._tattr is None:
            return      # not connected: nothing to write (as in Lava)
        data = np.asarray(data)
        cur = getattr(self._tmodel, self._tattr)
        if self._inv is not None:     # through virtual ports: merge into the Var
            full = np.array(np.broadcast_to(cur, self._var_shape))
            data = self._inv(np.broadcast_to(data, self._shape), full)
        if isinstance(cur, _ndarray):
            cur[...] = data
        else:
            setattr(self._tmodel, self._tattr, type(cur)(np.asarray(data).reshape(-1)[0].item()))

    def read(self):
        return self._read_dense()

    def write(self, data):
        self._write_dense(data)

    def wait(self):
        """Lava compatibility: a ``write`` takes effect at once."""


class PyRefPortVectorDense(PyRefPort):
    """``read()`` returns an array of the Var's shape."""


class PyRefPortVectorSparse(PyRefPort):
    """``read()`` returns ``(data, indices)``; ``write(data, indices)``."""

    def read(self):
        return _nonzeros(self._read_dense())

    def write(self, data, indices):
        dense = self._read_dense().reshape(-1)
        dense[np.asarray(indices, dtype=np.int64)] = data
        self._write_dense(dense.reshape(self._shape))


class PyRefPortScalarDense(PyRefPort):
    """``read()`` returns one number."""

    def read(self):
        return _scalar(self._read_dense())


class PyRefPortScalarSparse(PyRefPort):
    """``read()`` returns ``(value, index)`` of the first non-zero entry."""

    def read(self):
        return _first_nonzero(self._read_dense())

    def write(self, data, idx):
        dense = self._read_dense().reshape(-1)
        dense[int(idx)] = data
        self._write_dense(dense.reshape(self._shape))


class PyVarPort(AbstractPyPort):
    """The Var side of a RefPort connection. The CPU runtime serves RefPort
    reads and writes directly, so a model has nothing to call on it."""

    VEC_DENSE: ty.Type["PyVarPortVectorDense"] = None
    VEC_SPARSE: ty.Type["PyVarPortVectorSparse"] = None
    SCALAR_DENSE: ty.Type["PyVarPortScalarDense"] = None
    SCALAR_SPARSE: ty.Type["PyVarPortScalarSparse"] = None


class PyVarPortVectorDense(PyVarPort):
    pass


class PyVarPortVectorSparse(PyVarPort):
    pass


class PyVarPortScalarDense(PyVarPort):
    pass


class PyVarPortScalarSparse(PyVarPort):
    pass


PyInPort.VEC_DENSE = PyInPortVectorDense
PyInPort.VEC_SPARSE = PyInPortVectorSparse
PyInPort.SCALAR_DENSE = PyInPortScalarDense
PyInPort.SCALAR_SPARSE = PyInPortScalarSparse
PyOutPort.VEC_DENSE = PyOutPortVectorDense
PyOutPort.VEC_SPARSE = PyOutPortVectorSparse
PyOutPort.SCALAR_DENSE = PyOutPortScalarDense
PyOutPort.SCALAR_SPARSE = PyOutPortScalarSparse
PyRefPort.VEC_DENSE = PyRefPortVectorDense
PyRefPort.VEC_SPARSE = PyRefPortVectorSparse
PyRefPort.SCALAR_DENSE = PyRefPortScalarDense
PyRefPort.SCALAR_SPARSE = PyRefPortScalarSparse
PyVarPort.VEC_DENSE = PyVarPortVectorDense
PyVarPort.VEC_SPARSE = PyVarPortVectorSparse
PyVarPort.SCALAR_DENSE = PyVarPortScalarDense
PyVarPort.SCALAR_SPARSE = PyVarPortScalarSparse

Channel = collections.deque
