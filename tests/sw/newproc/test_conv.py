"""Conv: hand values (a true convolution, one-step delay), CPU models ==
a transcription of Lava's scipy convolution, the 24-bit wrap of the
fixed-point model, the synapse expansion, chip == CPU fixed_pt."""
import numpy as np
import pytest
from scipy import signal

from kilauea import LIF
from kilauea.numerics.conv import conv2d, conv_synapses
from kilauea.proc.conv.process import Conv
from kilauea.proc.conv import utils
from kilauea.proc.io import sink, source

import newproc_kit as kit


def _lava_conv_scipy(x, w, stride, pad, dil, groups):
    """Lava 0.10's conv_scipy, transcribed: convolve2d 'valid' of the padded
    input with the dilated kernel, then the stride."""
    k0, k1 = w.shape[1:3]
    dw = np.zeros((w.shape[0], dil[0] * (k0 - 1) + 1, dil[1] * (k1 - 1) + 1, w.shape[3]))
    dw[:, ::dil[0], ::dil[1], :] = w
    xp = np.pad(x, ((pad[0], pad[0]), (pad[1], pad[1]), (0, 0)))
    kg, cg = w.shape[0] // groups, x.shape[2] // groups
    out = None
    for g in range(groups):
        for k in range(kg):
            for c in range(cg):
                t = signal.convolve2d(xp[:, :, c + g * cg], dw[k + g * kg, :, :, c],
                                      mode="valid")[::stride[0], ::stride[1]]
                if out is None:
                    out = np.zeros(t.shape + (w.shape[0],))
                out[:, :, k + g * kg] += t
    return out


def test_process_shapes_and_checks():
    conv = Conv(weight=np.ones((2, 3, 3, 1)), input_shape=(5, 5, 1))
    assert conv.a_out.shape == (3, 3, 2) and conv.output_shape == (3, 3, 2)
    c = Conv(weight=np.ones((4, 3, 2, 1)), input_shape=(7, 6, 2), padding=(1, 0), stride=2,
             dilation=(1, 2), groups=2)
    assert c.a_out.shape == (4, 2, 4)
    np.testing.assert_array_equal(c.kernel_size.init, [3, 2])
    assert utils.output_shape((7, 6, 2), 4, (3, 2), (2, 2), (1, 0), (1, 2)) == (4, 2, 4)
    with pytest.raises(ValueError, match="groups"):
        Conv(weight=np.ones((3, 1, 1, 1)), input_shape=(4, 4, 2), groups=2)
    assert Conv(weight=np.ones((1, 1, 1, 1)), num_message_bits=8).use_graded_spike.init
    assert not Conv(weight=np.ones((1, 1, 1, 1))).use_graded_spike.init
    with pytest.raises(ValueError, match="output size"):
        Conv(weight=np.ones((1, 5, 5, 1)), input_shape=(3, 3, 1))
    from kilauea.lava.proc.conv.process import Conv as LC
    from kilauea.lava.proc.conv.models import PyConvModelBinaryFixed  # noqa: F401
    assert LC is Conv


@pytest.mark.parametrize("cfg", [kit.cpu_fixed, kit.cpu_float])
def test_hand_values_flip_and_delay(cfg):
    # a spike at (0, 0) through kernel [[1, 2], [3, 4]]: a convolution reads
    # w[1, 1] = 4 at output (0, 0) (a correlation would give 1); sent one step later
    data = np.zeros((3, 3, 1, 3), dtype=np.int32)
    data[0, 0, 0, 0] = 1
    src = source.RingBuffer(data=data, name="SRC")
    conv = Conv(weight=np.array([[1, 2], [3, 4]]).reshape(1, 2, 2, 1), input_shape=(3, 3, 1))
    snk = sink.RingBuffer(shape=(2, 2, 1), buffer=3, name="SNK")
    src.s_out.connect(conv.s_in)
    conv.a_out.connect(snk.a_in)
    src.run(condition=kit.RunSteps(num_steps=3), run_cfg=cfg())
    got = np.asarray(snk.data.get())[..., 0, :]
    src.stop()
    np.testing.assert_array_equal(got[..., 0], 0)
    np.testing.assert_array_equal(got[..., 1], [[4, 0], [0, 0]])
    np.testing.assert_array_equal(got[..., 2], 0)


def _geometry(rng):
    groups = int(rng.choice([1, 2]))
    cin, cout = 2 * int(rng.integers(1, 3)), 2 * int(rng.integers(1, 3))
    shape = (int(rng.integers(5, 8)), int(rng.integers(5, 8)), cin)
    w = rng.integers(-20, 21, (cout, int(rng.integers(1, 4)), int(rng.integers(1, 4)),
                               cin // groups))
    kw = dict(stride=tuple(int(a) for a in rng.integers(1, 3, 2)),
              padding=tuple(int(a) for a in rng.integers(0, 3, 2)),
              dilation=tuple(int(a) for a in rng.integers(1, 3, 2)), groups=groups)
    return shape, w, kw


@pytest.mark.parametrize("seed", range(4))
def test_numerics_and_synapses_equal_lava_transcription(seed):
    rng = np.random.default_rng(seed)
    for _ in range(5):
        shape, w, kw = _geometry(rng)
        x = rng.integers(-3, 4, shape)
        want = _lava_conv_scipy(x, w, kw["stride"], kw["padding"], kw["dilation"], kw["groups"])
        got = conv2d(x, w, **kw)
        np.testing.assert_array_equal(got, want)
        pre, post, ws = conv_synapses(shape, w, **kw)
        y = np.zeros(got.size, dtype=np.int64)
        np.add.at(y, post, ws * x.reshape(-1)[pre])
        np.testing.assert_array_equal(y.reshape(got.shape), want)
        d, s, v = utils.conv_to_sparse(shape, got.shape, w, kw["stride"], kw["padding"],
                                       kw["dilation"], kw["groups"])
        assert np.all(v != 0) and len(d) == len(s) == np.count_nonzero(ws)


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("graded", [False, True])
def test_cpu_models_equal_lava_transcription(seed, graded):
    rng = np.random.default_rng(10 + seed)
    shape, w, kw = _geometry(rng)
    T = 4
    data = (rng.integers(-5, 6, shape + (T,)) if graded
            else (rng.random(shape + (T,)) < 0.5).astype(np.int32) * 7)   # 7: cast to 1
    for cfg in (kit.cpu_fixed, kit.cpu_float):
        src = source.RingBuffer(data=data.astype(np.int32), name="SRC")
        conv = Conv(weight=w, input_shape=shape, use_graded_spike=graded, **kw)
        snk = sink.RingBuffer(shape=conv.output_shape, buffer=T, name="SNK")
        src.s_out.connect(conv.s_in)
        conv.a_out.connect(snk.a_in)
        src.run(condition=kit.RunSteps(num_steps=T), run_cfg=cfg())
        got = np.asarray(snk.data.get())
        src.stop()
        for t in range(1, T):
            x = data[..., t - 1] if graded else (data[..., t - 1] != 0).astype(int)
            want = _lava_conv_scipy(x, w, kw["stride"], kw["padding"], kw["dilation"],
                                    kw["groups"])
            np.testing.assert_array_equal(got[..., t], want, err_msg=f"{cfg.__name__} t={t}")


def test_fixed_point_wraps_to_24_bits_and_checks_weights():
    data = np.full((1, 1, 1, 2), 1 << 22, dtype=np.int32)
    src = source.RingBuffer(data=data, name="SRC")
    conv = Conv(weight=np.full((1, 1, 1, 1), 3), input_shape=(1, 1, 1), use_graded_spike=True)
    snk = sink.RingBuffer(shape=(1, 1, 1), buffer=2, name="SNK")
    src.s_out.connect(conv.s_in)
    conv.a_out.connect(snk.a_in)
    src.run(condition=kit.RunSteps(num_steps=2), run_cfg=kit.cpu_fixed())
    got = np.asarray(snk.data.get()).ravel()
    src.stop()
    assert got[1] == 3 * (1 << 22) - (1 << 24)           # 12582912 wraps to -4194304
    conv = Conv(weight=np.full((1, 1, 1, 1), 300), input_shape=(1, 1, 1))
    with pytest.raises(Exception, match="weight"):
        conv.run(condition=kit.RunSteps(num_steps=1), run_cfg=kit.cpu_fixed())


def _network(seed, graded):
    rng = np.random.default_rng(seed)
    shape = (5, 4, 2)
    w = rng.integers(-30, 31, (4, 3, 2, 1))
    conv = Conv(weight=w, input_shape=shape, padding=1, stride=(2, 1), groups=2,
                use_graded_spike=graded, name="C")
    data = (rng.integers(-4, 5, shape + (9,)) if graded
            else (rng.random(shape + (9,)) < 0.5)).astype(np.int32)
    src = source.RingBuffer(data=data, name="SRC")
    lif = LIF(shape=conv.output_shape, du=300, dv=200, vth=40, name="L")
    src.s_out.connect(conv.s_in)
    conv.a_out.connect(lif.a_in)
    return src, [(lif, "u"), (lif, "v"), (lif, "s_out")]


@pytest.mark.parametrize("graded", [False, True])
def test_chip_equals_cpu_fixed(graded):
    root, probes = _network(3, graded)
    want = kit.record(root, probes, 15, kit.cpu_fixed())
    assert want[("L", "s_out")].sum() > 0
    root, probes = _network(3, graded)
    params = kit.SMALL_2X2.with_(n_compartments=32)      # 60 neurons over 2+ cores
    got = kit.record(root, probes, 15, kit.chip_cfg(params))
    kit.assert_same(got, want, f"graded={graded}:")


@pytest.mark.parametrize("graded", [False, True])
def test_compiler_warns_when_a_conv_sum_could_pass_24_bits(graded):
    """Lava's fixed-point Conv wraps each step's sum to 24 bits, the chip's
    accumulators do not: the compile report warns exactly when a target's
    worst case (graded: 24-bit payloads) could pass that range."""
    from kilauea import ChipCfg, compile_network
    from kilauea.runtime.builder import build_network

    root, _ = _network(3, graded)
    cfg = ChipCfg(engine="model", params=kit.SMALL_2X2.with_(n_compartments=32))
    warnings = compile_network(build_network(root, cfg), cfg.params).report.warnings
    conv_warnings = [w for w in warnings if "-> C ->" in w and "24-bit" in w]
    # binary: at most 3*2*1 taps x 30 per target, far inside; graded: x 2**23, outside
    assert len(conv_warnings) == (1 if graded else 0), warnings
