"""Host-API details that follow Lava 0.10 exactly: model selection with one
model, LogConfig, is_compiled/model_class, ProcessParameters, collection
order, Var.get before the first run."""
import logging

import numpy as np
import pytest

from kilauea import (CPU, AbstractProcess, ChipCfg, CpuSimCfg, InPort,
                     LavaPyType, LoihiProtocol, ModelNotFoundError, OutPort,
                     PyLoihiProcessModel, PyOutPort, RefPort, RunSteps, Var,
                     implements, requires, tag)
from kilauea.core.process import LogConfig, ProcessParameters
from kcore_testlib import (Conn, Layer, Neuron, PyConn, PyNeuronFixed,
                           PyNeuronFloat, SubLayerModel)


# ------------------------------------------------------------ selection
class FloatOnly(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.s_out = OutPort(shape=(2,))
        self.count = Var(shape=(1,), init=0)


@implements(proc=FloatOnly, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyFloatOnly(PyLoihiProcessModel):
    s_out = LavaPyType(PyOutPort.VEC_DENSE, float)
    count = LavaPyType(np.ndarray, int)

    def run_spk(self):
        self.count = self.count + 1
        self.s_out.send(np.full(2, float(self.time_step)))


def test_single_model_is_chosen_without_tag_cpu_and_chip_host_side():
    p = FloatOnly()
    assert CpuSimCfg().select(p, [PyFloatOnly]) is PyFloatOnly
    # ChipCfg() (Lava's Loihi2HwCfg()) asks for no tag: the only model
    assert ChipCfg().select(p, [PyFloatOnly]) is PyFloatOnly


def test_explicit_tag_the_single_model_lacks_is_an_error():
    # Lava's case 2b: a tag was asked for and the only model is tagged otherwise
    p = FloatOnly(name="fo")
    for cfg in (CpuSimCfg(select_tag="fixed_pt"), ChipCfg(select_tag="fixed_pt")):
        with pytest.raises(ModelNotFoundError, match=r"'fo'.*'fixed_pt'"):
            cfg.select(p, [PyFloatOnly])


def test_chip_cfg_host_side_prefers_fixed_pt_among_several():
    n = Neuron(shape=(2,))
    models = [PyNeuronFloat, PyNeuronFixed]
    assert ChipCfg().select(n, models) is PyNeuronFixed
    assert ChipCfg().select_tag == "fixed_pt"           # the tag in effect
    assert ChipCfg(select_tag="floating_pt").select(n, models) is PyNeuronFloat
    assert CpuSimCfg().select(n, models) is PyNeuronFloat


def test_float_only_process_runs_under_plain_chip_cfg_with_host_consumer():
    # no chip process at all: the whole network stays on the host
    p = FloatOnly()
    c = Conn(weights=np.array([[1.0, 2.0]]))
    p.s_out.connect(c.s_in)
    p.run(condition=RunSteps(num_steps=3), run_cfg=ChipCfg(engine="model"))
    try:
        assert p.model_class is PyFloatOnly and c.model_class is PyConn
        np.testing.assert_array_equal(p.count.get(), [3])
        # Conn's buffer: the weights of the inputs that were non-zero
        np.testing.assert_array_equal(c.a_buff.get(), [3.0])
    finally:
        p.stop()


# ------------------------------------------------------------ compile facts
def test_is_compiled_and_model_class_follow_the_build():
    rng = np.random.default_rng(0)
    src = Neuron(shape=(3,), bias=rng.uniform(1, 3, 3))
    layer = Layer(weights=rng.uniform(0, 2, (2, 3)))
    src.s_out.connect(layer.s_in)
    assert (src.is_compiled, src.model_class) == (False, None)
    with pytest.raises(ModelNotFoundError):
        src.run(condition=RunSteps(num_steps=2), run_cfg=CpuSimCfg(select_tag="nope"))
    assert src.is_compiled is False and layer.is_compiled is False
    src.compile(run_cfg=CpuSimCfg())
    try:
        assert src.is_compiled and layer.is_compiled
        assert src.model_class is PyNeuronFloat
        assert layer.model_class is SubLayerModel
        assert layer.procs.conn.model_class is PyConn
        assert layer.procs.neuron.model_class is PyNeuronFloat
    finally:
        src.stop()


# ------------------------------------------------------------ LogConfig
def test_log_config_defaults_and_checks():
    lc = LogConfig()
    assert (lc.file, lc.level, lc.level_console, lc.logs_to_file) == \
        ("", logging.WARNING, logging.ERROR, False)
    with pytest.raises(ValueError, match="file"):
        LogConfig(logs_to_file=True)
    with pytest.raises(TypeError, match="log_config"):
        Neuron(shape=(1,), log_config=logging.DEBUG)


def test_model_logger_honours_its_process_log_config():
    loud = Neuron(shape=(1,), name="loud", log_config=LogConfig(level=logging.DEBUG))
    quiet = Neuron(shape=(1,), name="quiet")
    loud.s_out.connect(quiet.a_in)
    assert loud.proc_params["log_config"].level == logging.DEBUG
    loud.compile(run_cfg=CpuSimCfg())
    try:
        models = {lf.proc.name: lf.model for lf in loud.runtime.network.leaves}
        assert models["loud"].log.isEnabledFor(logging.DEBUG)
        assert not models["quiet"].log.isEnabledFor(logging.INFO)
        assert models["quiet"].log.isEnabledFor(logging.WARNING)
    finally:
        loud.stop()


# ------------------------------------------------------------ ProcessParameters
def test_process_parameters_refuse_reassignment():
    pp = ProcessParameters({"a": 1})
    pp["b"] = 2
    with pytest.raises(KeyError, match="overwrite"):
        pp["a"] = 3
    pp.overwrite("a", 3)
    pp.overwrite("c", 4)
    assert dict(pp) == {"a": 3, "b": 2, "c": 4}


# ------------------------------------------------------------ collection order
class Mixed(AbstractProcess):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.zeta = Var(shape=(1,))
        self.alpha = Var(shape=(1,))
        self.mid = Var(shape=(1,))
        self.y_in = InPort(shape=(1,))
        self.b_in = InPort(shape=(1,))


def test_collections_are_alphabetical_then_in_order_of_addition():
    m = Mixed()
    assert m.vars.member_names == ["alpha", "mid", "zeta"]
    assert [p.name for p in m.in_ports] == ["b_in", "y_in"]
    m.omega = Var(shape=(1,))
    m.beta = Var(shape=(1,))
    assert m.vars.member_names == ["alpha", "mid", "zeta", "omega", "beta"]
    m._post_init()   # Lava's Monitor pattern: new members placed alphabetically
    assert m.vars.member_names == ["alpha", "mid", "zeta", "beta", "omega"]
    m.r = RefPort(shape=(1,))
    assert m.ref_ports.member_names == ["r"]


# ------------------------------------------------------------ Var.get before a run
def test_var_get_before_run_returns_init_as_given():
    n = Neuron(shape=(4,), bias=2.0, vth=np.array([7.0]))
    assert n.bias.get() == 2.0 and np.ndim(n.bias.get()) == 0
    vth = n.vth.get()
    vth[0] = 99.0                                  # a copy, not init itself
    np.testing.assert_array_equal(n.vth.get(), [7.0])
    np.testing.assert_array_equal(n.bias.get(idx=slice(1, 3)), [2.0, 2.0])
    n.bias.set(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(n.bias.get(), [1, 2, 3, 4])
    bad = Neuron(shape=(3,), bias=np.zeros(4), name="bad")
    with pytest.raises(ValueError, match=r"bad\.bias"):
        bad.bias.get()
    n.run(condition=RunSteps(num_steps=1), run_cfg=CpuSimCfg())
    try:
        assert n.bias.get().shape == (4,)           # the model's array once built
    finally:
        n.stop()
