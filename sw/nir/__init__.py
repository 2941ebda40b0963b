"""NIR (Neuromorphic Intermediate Representation) import and export.

``from_nir(graph)`` builds kilauea Processes from a ``nir.NIRGraph`` or a
``.nir`` file (exported by snnTorch, Norse, Rockpool, Sinabs, ...);
``to_nir(process)`` writes a kilauea network back as a ``nir.NIRGraph``;
``run_nir`` runs an imported network on recorded input. How each node maps
(time step, reset, units, quantisation) is in ``docs/nir.md``.
"""
from .mapping import Reset
from .importer import FRAMEWORKS, Framework, NirImportError, NirNetwork, from_nir
from .run import run_nir
from .exporter import NirExportError, to_nir

__all__ = ["from_nir", "to_nir", "run_nir", "NirExportError", "NirNetwork", "NirImportError", "Reset", "FRAMEWORKS",
           "Framework"]
