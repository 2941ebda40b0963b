"""Host fallback: a chip process the compiler refuses runs on the host.

When the compiler raises a ``ChipRefusal`` for a process (a parameter its
neuron program cannot represent, an input it cannot reproduce) whose chip
model sets ``host_fallback`` and the run config does not demand the chip for
it (``exception_proc_model_map`` naming its chip model), the process runs
on the host with the CPU model the config's host side picks, as Lava runs a
process with no model for the chip on the CPU; chip connections feeding it
move with it (a connection's sums cannot leave the chip). A warning names
the process and the refusal. Otherwise the refusal stands: it names the
parameter, its value and the chip's limit.
"""
from __future__ import annotations

import warnings

from ...compiler.errors import ChipRefusal
from ...compiler.ncmodel import NcConnectionModel
from ...core.model import AbstractNcProcessModel
from ..builder import Network, _instantiate
from ..selection import find_models

__all__ = ["compile_with_fallback"]


def _demanded(cfg, proc) -> bool:
    """The run config names a chip model for `proc` (or its class)."""
    forced = getattr(cfg, "exception_proc_model_map", {}) or {}
    model = forced.get(proc, forced.get(type(proc)))
    return isinstance(model, type) and issubclass(model, AbstractNcProcessModel)


def _to_host(network: Network, cfg, leaf) -> None:
    """Run `leaf` on the host with the CPU model ``cfg``'s host side picks."""
    leaf.model_cls = cfg._host_cfg.select(leaf.proc, find_models(type(leaf.proc)))
    leaf.model = _instantiate(leaf, network.var_home)


def _fall_back(network: Network, cfg, refusal: ChipRefusal) -> bool:
    """Move the refused process (and the chip connections feeding it) to the
    host; False where the refusal must stand."""
    leaves = {id(lf.proc): lf for lf in network.leaves}
    leaf = leaves.get(id(refusal.process))
    if (leaf is None or not getattr(leaf.model_cls, "host_fallback", False)
            or _demanded(cfg, leaf.proc)):
        return False
    feeders = [leaves[id(ch.src.process)] for ch in network.channels
               if ch.dst.process is leaf.proc and id(ch.src.process) in leaves
               and issubclass(leaves[id(ch.src.process)].model_cls, NcConnectionModel)]
    if any(_demanded(cfg, f.proc) for f in feeders):
        return False
    for lf in [leaf] + feeders:
        _to_host(network, cfg, lf)
    warnings.warn(f"process '{leaf.proc.name}' ({type(leaf.proc).__name__}) runs on the host "
                  f"CPU beside the chip"
                  + (f" with {', '.join(repr(f.proc.name) for f in feeders)}" if feeders else "")
                  + f": {refusal}", stacklevel=4)
    return True


def compile_with_fallback(network: Network, cfg):
    """``compile_network(network, cfg.params)``, moving refused processes
    with ``host_fallback`` to the host (module docstring). Returns the
    compiled network, or None when no chip process is left."""
    from ...compiler import compile_network
    while True:
        if not any(issubclass(lf.model_cls, AbstractNcProcessModel) for lf in network.leaves):
            return None
        try:
            return compile_network(network, cfg.params)
        except ChipRefusal as e:
            if not _fall_back(network, cfg, e):
                raise
