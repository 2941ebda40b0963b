"""Neuron programs: Python descriptions compiled to neuron-engine microcode.

`builder` is the DSL (`ProgramBuilder`, `NeuronProgram`, `link`); `library`
holds the programs of the spec's fixed-point models; `cpu.ProgramRunner`
runs a program as a CPU model on the golden interpreter. See
`docs/neuron-programs.md`.
"""
from .builder import (CoreImages, Decl, NeuronProgram, ProgramBuilder, Val, acc_row_bases,
                      core_images, link)
from .cpu import ProgramRunner
from .library import (PROGRAMS, graded_relu_vec, graded_vec, lif, lif_refractory, lif_reset,
                      sigma_delta)

__all__ = ["ProgramRunner", "CoreImages", "core_images", "acc_row_bases", "Decl", "NeuronProgram", "ProgramBuilder", "Val", "link", "PROGRAMS", "lif",
           "lif_reset", "lif_refractory", "graded_vec", "graded_relu_vec", "sigma_delta"]
