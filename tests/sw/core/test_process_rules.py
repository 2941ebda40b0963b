"""Process-level pieces of Lava's API: Var aliasing rules and their check,
``is_sub_proc_of``, ``Collection.name``, ``ProcessParameters._parameters``
and the abstract ``AbstractSubProcessModel``."""
import pytest

from kilauea import AbstractProcess, AbstractSubProcessModel, Var
from kilauea.core.exceptions import VarAliasError
from kilauea.core.process import Collection, ProcessParameters


class Proc(AbstractProcess):
    def __init__(self, **kw):
        super().__init__(**kw)
        self.a = Var((2,))
        self.b = Var((1, 2))
        self.c = Var((2,), shareable=False)


def _tree():
    top, mid, leaf, other = Proc(), Proc(), Proc(), Proc()
    mid.register_sub_procs({"leaf": leaf})
    top.register_sub_procs({"mid": mid})
    return top, mid, leaf, other


def test_is_sub_proc_of_follows_every_level():
    top, mid, leaf, other = _tree()
    assert leaf.is_sub_proc_of(mid) and leaf.is_sub_proc_of(top) and mid.is_sub_proc_of(top)
    assert not top.is_sub_proc_of(leaf) and not leaf.is_sub_proc_of(other)


def test_alias_rules_raise_var_alias_error_caught_as_lava_does():
    top, mid, leaf, other = _tree()
    for bad in (leaf.b, leaf.c):                # shape, then shareable differ
        with pytest.raises(AssertionError):
            top.a.alias(bad)
        with pytest.raises(ValueError):
            top.a.alias(bad)
    top.a.alias(leaf.a)                         # two levels down: fine
    top.validate_var_aliases()
    top.a.alias(other.a)                        # no sub-process of top
    with pytest.raises(VarAliasError, match="no sub-process"):
        top.validate_var_aliases()


def test_collection_name_and_process_parameters():
    p = Proc()
    assert Collection(p, "Things").name == "Things" and p.vars.name == "Vars"
    pp = ProcessParameters({"shape": (3, 4)})
    assert pp._parameters["shape"] == (3, 4)


def test_abstract_sub_process_model_cannot_be_instantiated():
    with pytest.raises(TypeError, match="abstract"):
        AbstractSubProcessModel(Proc())

    class Sub(AbstractSubProcessModel):
        def __init__(self, proc):
            super().__init__(proc)
            self.inner = Proc()
    assert isinstance(Sub(Proc()).inner, Proc)
