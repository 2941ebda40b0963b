"""``Var``: a named piece of a Process's state."""
from __future__ import annotations

import numbers
import threading
import typing as ty
import weakref

import numpy as np

from .exceptions import VarAliasError


class IdServer:
    """A registry that issues ids 0, 1, ... in creation order and lists what
    it registered (held weakly: the list keeps nothing alive). Each subclass
    is a singleton: ``Sub()`` is always the same object. ``reset_server()``
    empties the list and restarts the ids at 0 (an object created afterwards
    may then share its id with an older one, as in Lava)."""

    _instance: ty.Optional["IdServer"] = None

    def __new__(cls):
        if cls.__dict__.get("_instance") is None:
            server = super().__new__(cls)
            server._lock = threading.Lock()
            server._refs = []
            server._next_id = 0
            cls._instance = server
        return cls._instance

    def _members(self) -> list:
        with self._lock:
            return [m for m in (ref() for ref in self._refs) if m is not None]

    def register(self, member) -> int:
        """List ``member`` and return its id."""
        with self._lock:
            self._refs.append(weakref.ref(member))
            mid, self._next_id = self._next_id, self._next_id + 1
            return mid

    def reset_server(self) -> None:
        with self._lock:
            self._refs = []
            self._next_id = 0


class VarServer(IdServer):
    """The ids of Vars (Lava's ``VarServer``, one for all)."""

    @property
    def vars(self) -> list:
        """The Vars created since the last reset that still exist."""
        return self._members()

    @property
    def num_vars(self) -> int:
        """How many Vars were registered since the last reset."""
        return self._next_id



def check_shape(what: str, shape) -> tuple:
    """``shape`` (an int or a sequence of ints) as a tuple of positive ints;
    anything else (a size <= 0, a non-integer) raises naming ``what``."""
    dims = (shape,) if isinstance(shape, (numbers.Number, np.generic)) else shape
    try:
        dims = tuple(dims)
    except TypeError:
        raise TypeError(f"{what}: shape must be a tuple of positive ints, "
                        f"got {shape!r}") from None
    for d in dims:
        if isinstance(d, (bool, np.bool_)) or not isinstance(d, numbers.Integral) or d < 1:
            raise ValueError(f"{what}: shape must be a tuple of positive ints, "
                             f"got {shape!r}")
    return tuple(int(d) for d in dims)


def _squeezed(shape: tuple) -> tuple:
    """``shape`` without its size-1 axes."""
    return tuple(d for d in shape if d != 1)


def _is_sparse(x) -> bool:
    try:
        import scipy.sparse as sp
    except ImportError:  # pragma: no cover
        return False
    return sp.issparse(x)


def check_fits(var: "Var", value: np.ndarray, dtype: np.dtype) -> None:
    """Raise ``ValueError`` naming ``var`` when an array of ``dtype`` cannot
    hold ``value`` exactly (an integer dtype would wrap or truncate it)."""
    if dtype.kind not in "iu" or value.dtype.kind not in "iuf" or value.size == 0:
        return
    info = np.iinfo(dtype)
    if value.dtype.kind == "f" and not np.all(np.isfinite(value)):
        raise ValueError(f"Var {var.full_name()} is held as {dtype}; got non-finite values")
    if value.dtype.kind == "f" and not np.all(value == np.round(value)):
        bad = value[value != np.round(value)].flat[0]
        raise ValueError(f"Var {var.full_name()} is held as {dtype}; got the non-integer "
                         f"value {bad} (round it first: nothing is truncated silently)")
    lo, hi = value.min(), value.max()
    if lo < info.min or hi > info.max:
        raise ValueError(f"Var {var.full_name()} is held as {dtype} ({info.min}..{info.max}); "
                         f"got values in {lo}..{hi}")


class ProcessMember:
    """What a Var and a port share: a `shape`, a `name` and the `process` that owns
    it (None until a Process takes it)."""

    shape: tuple
    name: str
    process: ty.Any

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=np.int64))

    def full_name(self) -> str:
        proc = self.process.name if self.process is not None else "<no process>"
        return f"{proc}.{self.name}"


class Var(ProcessMember):
    """A state variable of a Process.

    ``shape``: tuple of ints. ``init``: initial value (scalar, array of the
    shape, or a scipy sparse matrix). ``shareable``: whether a RefPort may
    connect to it. ``get(idx)`` / ``set(value, idx)`` work before a run (on
    ``init``), between runs and while a run is paused; while a run goes on
    they take effect between two time steps. ``finite`` (an attribute, set
    by a Process for its float parameters): ``set`` rejects NaN and
    infinity. ``rule`` (an attribute, set by a Process): None, or a
    function ``rule(var, values)`` that raises ValueError when ``set``
    gives values the Process cannot hold (e.g. a negative delay).

    ``set`` never reinterprets a value silently: complex values with an
    imaginary part are refused, and a whole-Var value must have the Var's
    shape (size-1 axes aside), broadcast to it, or be 1-D with the Var's
    size (its elements in C order, as Lava sends them); any other shape
    (e.g. (3, 2) for a (2, 3) Var) is refused.
    """

    finite: bool = False
    rule: ty.Optional[ty.Callable] = None

    def __init__(self, shape: ty.Tuple[int, ...], init: ty.Any = 0,
                 shareable: bool = True, name: str = "Unnamed variable"):
        self.shape = check_shape(f"Var '{name}'", shape)
        self.init = init
        self.shareable = bool(shareable)
        self.name = name
        self.id = VarServer().register(self)
        self.process = None
        self.aliased_var: Var | None = None

    # ------------------------------------------------------------ aliasing
    def alias(self, other: "Var") -> None:
        """Make this (parent) Var stand for ``other`` (a Var of a sub-process)."""
        if not isinstance(other, Var):
            raise TypeError(f"Var {self.full_name()}: alias() expects a Var, got {other!r}")
        if other.shape != self.shape:
            raise VarAliasError(
                f"cannot alias Var {self.full_name()} shape {self.shape} to "
                f"Var {other.full_name()} shape {other.shape}: shapes differ")
        if other.shareable != self.shareable:
            raise VarAliasError(
                f"cannot alias Var {self.full_name()} (shareable={self.shareable}) to "
                f"Var {other.full_name()} (shareable={other.shareable}): they differ")
        self.aliased_var = other

    def validate_alias(self):
        """Raise ``VarAliasError`` if the aliased Var's process is not a
        sub-process (at any depth) of this Var's process. Shapes and
        ``shareable`` are checked by ``alias`` itself."""
        other = self.aliased_var
        if other is None or self.process is None:
            return
        if other.process is None or not other.process.is_sub_proc_of(self.process):
            raise VarAliasError(
                f"Var {self.full_name()} aliases Var {other.full_name()}, whose process "
                f"is no sub-process of '{self.process.name}'")

    def resolve(self) -> "Var":
        """Follow the alias chain to the Var that holds the value."""
        v = self
        seen = set()
        while v.aliased_var is not None:
            if id(v) in seen:
                raise ValueError(f"Var {self.full_name()}: alias cycle")
            seen.add(id(v))
            v = v.aliased_var
        return v

    # ------------------------------------------------------------ values
    def _runtime(self):
        proc = self.process
        return proc.runtime if proc is not None else None

    def init_value(self):
        """``init`` as a fresh array of this Var's shape (sparse: a copy)."""
        if _is_sparse(self.init):
            return self.init.copy()
        arr = np.asarray(self.init)
        if arr.shape != self.shape:
            try:
                arr = np.broadcast_to(arr, self.shape)
            except ValueError:
                raise ValueError(
                    f"Var {self.full_name()}: init of shape {arr.shape} does not fit "
                    f"the Var's shape {self.shape}") from None
        return np.array(arr)

    def get(self, idx=None):
        """The Var's value (a copy); with ``idx``, that part of it.

        Before the network is compiled, ``get()`` returns ``init`` as it was
        given (as Lava does: a scalar ``init`` stays a scalar; arrays and
        sparse matrices are copied); ``get(idx)`` indexes ``init``
        broadcast to the Var's shape.
        """
        rt = self._runtime()
        if rt is not None:
            return rt.get_var(self, idx)
        if idx is None:
            self.init_value()  # an init that does not fit the shape: error here
            init = self.init
            if _is_sparse(init) or isinstance(init, np.ndarray):
                return init.copy()
            return init
        return self.init_value()[idx]

    def set(self, value, idx=None) -> None:
        """Set the Var's value (or ``value`` at ``idx``).

        Before a run this changes ``init``; after the runtime is built it
        changes the live value the models will use from the next step on.
        """
        value = self._checked(value, idx)
        rt = self._runtime()
        if rt is not None:
            rt.set_var(self, value, idx)
            return
        if idx is None and _is_sparse(value):
            self.init = value.copy()
            return
        val = self.init_value()
        if idx is None:
            new = np.asarray(value)
            if new.shape != self.shape:     # as a set on the built network
                if new.size == self.size:
                    new = new.reshape(self.shape)
                else:
                    try:
                        new = np.broadcast_to(new, self.shape)
                    except ValueError:
                        raise ValueError(
                            f"Var {self.full_name()}: cannot set a value of shape "
                            f"{new.shape}: it does not fit the Var's shape "
                            f"{self.shape}") from None
            self.init = np.array(new)
        else:
            val[idx] = value
            self.init = val

    def _checked(self, value, idx):
        """``value`` for ``set``, checked (see the class docstring): complex
        values with a zero imaginary part become real."""
        arr = value.data if _is_sparse(value) else np.asarray(value)
        if arr.dtype.kind == "c":
            if np.any(arr.imag != 0):
                bad = arr[arr.imag != 0].flat[0]
                raise ValueError(f"Var {self.full_name()}: cannot set the complex value {bad}"
                                 " (Vars hold real numbers)")
            arr = arr.real
            value = value.real if _is_sparse(value) else arr
        if (self.finite or self.resolve().finite) and arr.dtype.kind == "f" \
                and arr.size and not np.all(np.isfinite(arr)):
            raise ValueError(f"Var {self.full_name()}: cannot set a non-finite value "
                             f"(NaN or infinity): {value!r}")
        if idx is None and not _is_sparse(value):
            self._check_set_shape(arr)
        rule = self.rule or self.resolve().rule
        if rule is not None and arr.dtype.kind in "biuf":
            rule(self, arr)
        return value

    def _check_set_shape(self, arr: np.ndarray) -> None:
        """A whole-Var value has the Var's shape (size-1 axes aside),
        broadcasts to it, or is 1-D with the Var's size; else ValueError."""
        if arr.shape == self.shape or (arr.size == self.size and (
                arr.ndim == 1 or _squeezed(arr.shape) == _squeezed(self.shape))):
            return
        try:
            if np.broadcast_shapes(arr.shape, self.shape) == self.shape:
                return
        except ValueError:
            pass
        raise ValueError(f"Var {self.full_name()}: cannot set a value of shape {arr.shape}: "
                         f"it must have the Var's shape {self.shape}, broadcast to it, or be "
                         f"1-D with its {self.size} elements (reshape it explicitly)")

    def __repr__(self):
        return f"Var({self.full_name()}, shape={self.shape})"
