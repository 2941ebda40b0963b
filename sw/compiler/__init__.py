"""The compiler: Process graph -> memory images for the chip.

Entry point: `compile_network(network, params) -> CompiledNetwork`
(`compile.py`); the passes, in order: `partition`, `fixcheck`, `groups`,
`split`, `placement`, `allocate`, `emit`. The result's types are in `ir.py`;
chip models subclass `ncmodel.NcNeuronModel` / `ncmodel.NcConnectionModel`
and read Vars through the compile's `ncmodel.VarValues`.
See docs/compiler.md.
"""
from .errors import CompileError
from .ir import CompiledNetwork, CompileReport, CoreUsage, HostInput, HostOutput, VarSlot
from .ncmodel import NcConnectionModel, NcNeuronModel, VarValues
from .compile import compile_network

__all__ = ["compile_network", "CompileError", "CompiledNetwork", "CompileReport", "CoreUsage",
           "HostInput", "HostOutput", "VarSlot", "NcNeuronModel", "NcConnectionModel",
           "VarValues"]
