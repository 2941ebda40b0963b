"""``@implements``, ``@requires``, ``@tag``: what a ProcessModel implements.

``@implements`` also records the model in a registry, so that a model
defined anywhere (a library module, the user's script, a test) is found for
its Process without any explicit registration.
"""
from __future__ import annotations

import typing as ty

from .exceptions import ModelDeclarationError

# Every class decorated with @implements, in definition order.
MODEL_REGISTRY: list[type] = []


def _check_model(what: str, cls: type) -> None:
    from .model import AbstractProcessModel
    if not (isinstance(cls, type) and issubclass(cls, AbstractProcessModel)):
        raise ModelDeclarationError(
            f"{what} decorates ProcessModel classes; {cls!r} is not one")


def implements(proc=None, protocol=None):
    """Declare the Process class (and sync protocol) a ProcessModel implements.

    A subclass of a model may add what its parent left unset (e.g. the
    protocol), but not change it: that raises ``ModelDeclarationError``
    (a ``TypeError`` and an ``AssertionError``, as Lava raises either)."""
    from .process import AbstractProcess
    from .protocols import AbstractSyncProtocol
    for arg, base, name in ((proc, AbstractProcess, "proc"),
                            (protocol, AbstractSyncProtocol, "protocol")):
        if arg is not None and not (isinstance(arg, type) and issubclass(arg, base)):
            raise ModelDeclarationError(
                f"@implements({name}=...) expects a {base.__name__} subclass, got {arg!r}")

    def decorate(cls: type) -> type:
        _check_model("@implements", cls)
        for attr, new in (("implements_process", proc), ("implements_protocol", protocol)):
            old = getattr(cls, attr, None)
            if new is not None and old is not None and old is not new:
                raise ModelDeclarationError(
                    f"{cls.__name__} already implements {old.__name__} (inherited or "
                    f"declared); @implements cannot change it to {new.__name__}")
            if new is not None:
                setattr(cls, attr, new)
        if cls not in MODEL_REGISTRY:
            MODEL_REGISTRY.append(cls)
        return cls

    return decorate


def requires(*resources):
    """Declare the resources a ProcessModel needs (e.g. ``CPU``), in
    addition to those of its parent classes.

    Several arguments are all required; a list argument means any one of them.
    """
    from .resources import AbstractResource
    for res in resources:
        for r in (res if isinstance(res, (list, tuple)) else [res]):
            if not (isinstance(r, type) and issubclass(r, AbstractResource)):
                raise ModelDeclarationError(
                    f"@requires expects resource classes (e.g. CPU), got {r!r}")

    def decorate(cls: type) -> type:
        _check_model("@requires", cls)
        cls.required_resources = _extend(getattr(cls, "required_resources", []), resources)
        return cls

    return decorate


def tag(*tags: str):
    """Attach tags (e.g. ``'floating_pt'``, ``'fixed_pt'``) to a
    ProcessModel, in addition to those of its parent classes."""
    for t in tags:
        if not isinstance(t, str):
            raise ModelDeclarationError(f"@tag expects strings, got {t!r}")

    def decorate(cls: type) -> type:
        _check_model("@tag", cls)
        cls.tags = _extend(getattr(cls, "tags", []), tags)
        return cls

    return decorate


def _extend(inherited, new) -> list:
    """A new list: ``inherited`` then the items of ``new`` not in it yet
    (the parent class's list is left as it is)."""
    out = list(inherited or [])
    out.extend(x for x in new if x not in out)
    return out


def model_resources(cls: type) -> list[ty.Any]:
    """The flattened resource classes a model requires."""
    out = []
    for r in getattr(cls, "required_resources", []) or []:
        if isinstance(r, (list, tuple)):
            out.extend(r)
        else:
            out.append(r)
    return out
