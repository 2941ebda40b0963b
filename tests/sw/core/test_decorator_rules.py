"""``@implements``, ``@requires``, ``@tag``: misuse raises
``ModelDeclarationError`` (caught as TypeError or AssertionError, as Lava
raises either), and subclasses add to what their parents declare."""
import pytest

from kilauea import CPU, AbstractProcess, LoihiProtocol, implements, requires, tag
from kilauea.core.exceptions import ModelDeclarationError
from kilauea.core.model import AbstractProcessModel, PyLoihiProcessModel
from kilauea.core.protocols import AsyncProtocol
from kilauea.core.resources import GPU


class P(AbstractProcess):
    pass


class Q(AbstractProcess):
    pass


@pytest.mark.parametrize("make", [
    lambda: implements(proc=P()),                       # an instance
    lambda: implements(proc=P, protocol=LoihiProtocol()),
    lambda: implements(proc=int),                       # not a Process
    lambda: requires(CPU()),
    lambda: requires([CPU, "gpu"]),
    lambda: tag("a", ["b"]),
])
def test_bad_arguments_raise_both_lava_error_types(make):
    with pytest.raises(ModelDeclarationError) as e:
        make()
    assert isinstance(e.value, TypeError) and isinstance(e.value, AssertionError)


@pytest.mark.parametrize("deco", [implements(proc=P), requires(CPU), tag("x")])
def test_decorating_a_process_instead_of_a_model_raises(deco):
    with pytest.raises(AssertionError, match="ProcessModel"):
        deco(type("NotAModel", (AbstractProcess,), {}))


def test_a_subclass_may_add_but_not_change_what_its_parent_implements():
    @implements(proc=P)
    class Base(PyLoihiProcessModel):
        pass

    @implements(protocol=LoihiProtocol)
    class Sub(Base):
        pass
    assert (Sub.implements_process, Sub.implements_protocol) == (P, LoihiProtocol)
    assert Base.implements_protocol is None
    with pytest.raises(ModelDeclarationError, match="already implements P"):
        implements(proc=Q)(type("Other", (Base,), {}))
    with pytest.raises(ModelDeclarationError, match="already implements LoihiProtocol"):
        implements(protocol=AsyncProtocol)(type("Other2", (Sub,), {}))
    implements(proc=P, protocol=LoihiProtocol)(type("Same", (Sub,), {}))   # same: fine


def test_requires_and_tags_add_to_the_parents():
    @requires(CPU)
    @tag("a")
    class Base(AbstractProcessModel):
        pass

    @requires(GPU)
    @tag("b", "a")
    class Sub(Base):
        pass
    assert Sub.required_resources == [CPU, GPU] and Sub.tags == ["a", "b"]
    assert Base.required_resources == [CPU] and Base.tags == ["a"]
