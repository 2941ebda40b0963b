"""``@implements``, ``@requires``, ``@tag``: what a ProcessModel implements.

``@implements`` also records the model in a registry, so that a model
defined anywhere (a library module, the user's script, a test) is found for
its Process without any explicit registration.
"""
from __future__ import annotations

import typing as ty

# Every class decorated with @implements, in definition order.
MODEL_REGISTRY: list[type] = []


def implements(proc=None, protocol=None):
    """Declare the Process class (and sync protocol) a ProcessModel implements."""
    if proc is not None and not isinstance(proc, type):
        raise TypeError(f"@implements(proc=...) expects a Process class, got {proc!r}")

    def decorate(cls: type) -> type:
        if proc is not None:
            inherited = cls.__dict__.get("implements_process")
            if inherited is not None and inherited is not proc:
                raise AssertionError(
                    f"{cls.__name__} already implements {inherited.__name__}")
            cls.implements_process = proc
        if protocol is not None:
            cls.implements_protocol = protocol
        if cls not in MODEL_REGISTRY:
            MODEL_REGISTRY.append(cls)
        return cls

    return decorate


def requires(*resources):
    """Declare the resources a ProcessModel needs (e.g. ``CPU``).

    Several arguments are all required; a list argument means any one of them.
    """
    def decorate(cls: type) -> type:
        reqs = list(cls.__dict__.get("required_resources", []))
        for res in resources:
            reqs.append(res)
        cls.required_resources = reqs
        return cls

    return decorate


def tag(*tags: str):
    """Attach tags (e.g. ``'floating_pt'``, ``'fixed_pt'``) to a ProcessModel."""
    for t in tags:
        if not isinstance(t, str):
            raise TypeError(f"@tag expects strings, got {t!r}")

    def decorate(cls: type) -> type:
        cls.tags = list(cls.__dict__.get("tags", [])) + [t for t in tags]
        return cls

    return decorate


def model_resources(cls: type) -> list[ty.Any]:
    """The flattened resource classes a model requires."""
    out = []
    for r in getattr(cls, "required_resources", []) or []:
        if isinstance(r, (list, tuple)):
            out.extend(r)
        else:
            out.append(r)
    return out
