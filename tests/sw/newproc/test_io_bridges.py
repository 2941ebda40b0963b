"""Injector / Extractor (host channels with Lava's policies) and the
SpikeDataloader / StateDataloader (interval, offset, wrap-around)."""
import threading

import numpy as np
import pytest

from kilauea import LIF, Dense, RunSteps
from kilauea.proc.io import sink
from kilauea.proc.io.dataloader import SpikeDataloader, StateDataloader
from kilauea.proc.io.extractor import Extractor
from kilauea.proc.io.injector import Injector
from kilauea.proc.io.utils import ChannelConfig, ReceiveEmpty, ReceiveNotEmpty, SendFull

import newproc_kit as kit

ZEROS = ChannelConfig(receive_empty=ReceiveEmpty.NON_BLOCKING_ZEROS)


def _sink_after(port, shape, steps, cfg):
    snk = sink.RingBuffer(shape=shape, buffer=steps, name="SNK")
    port.connect(snk.a_in)
    port.process.run(condition=RunSteps(num_steps=steps), run_cfg=cfg)
    out = np.asarray(snk.data.get()).T.copy()
    port.process.stop()
    return out


@pytest.mark.parametrize("cfg", [kit.cpu_fixed, kit.cpu_float])
def test_injector_fifo_then_zeros(cfg):
    inj = Injector(shape=(2,), channel_config=ZEROS)
    inj.send(np.array([3, -1]))
    inj.send(np.array([5, 7]))
    got = _sink_after(inj.out_port, (2,), 4, cfg())
    np.testing.assert_array_equal(got, [[3, -1], [5, 7], [0, 0], [0, 0]])


def test_injector_accumulate():
    inj = Injector(shape=(2,), channel_config=ChannelConfig(
        receive_empty=ReceiveEmpty.NON_BLOCKING_ZEROS,
        receive_not_empty=ReceiveNotEmpty.ACCUMULATE))
    for x in ([1, 2], [10, 20], [100, 200]):
        inj.send(np.array(x))
    got = _sink_after(inj.out_port, (2,), 2, kit.cpu_fixed())
    np.testing.assert_array_equal(got, [[111, 222], [0, 0]])


def test_injector_checks_and_drop_policy():
    with pytest.raises(TypeError):
        Injector(shape=[2])
    with pytest.raises(ValueError):
        Injector(shape=(2,), buffer_size=0)
    inj = Injector(shape=(2,), buffer_size=1,
                   channel_config=ChannelConfig(send_full=SendFull.NON_BLOCKING_DROP))
    inj.send(np.zeros(2))
    with pytest.warns(UserWarning, match="full"):
        inj.send(np.ones(2))
    with pytest.raises(ValueError, match="shape"):
        inj.send(np.zeros(3))


def test_extractor_zeros_when_empty_and_fifo():
    ext = Extractor(shape=(2,), channel_config=ZEROS)
    np.testing.assert_array_equal(ext.receive(), [0, 0])
    inj = Injector(shape=(2,), channel_config=ZEROS)
    inj.out_port.connect(ext.in_port)
    inj.send(np.array([4, 2]))
    inj.run(condition=RunSteps(num_steps=3), run_cfg=kit.cpu_float())
    got = [ext.receive() for _ in range(4)]
    inj.stop()
    np.testing.assert_array_equal(got, [[4, 2], [0, 0], [0, 0], [0, 0]])


def _lif_net(src_port_owner_shape=(3,)):
    dense = Dense(weights=np.array([[40, 0, -10], [0, 25, 25]]), name="D")
    lif = LIF(shape=(2,), du=1000, dv=500, vth=1, name="L")
    dense.a_out.connect(lif.a_in)
    return dense, lif


@pytest.mark.parametrize("chip", [False, True])
def test_injector_extractor_around_a_network_in_a_background_run(chip):
    """The user's thread sends spikes and receives the LIF's spikes one step
    at a time while the run goes on in the background (default blocking
    policies); the result equals a RingBuffer-driven run."""
    rng = np.random.default_rng(4)
    spikes = (rng.random((12, 3)) < 0.6).astype(np.int32)
    inj, ext = Injector(shape=(3,), name="INJ"), Extractor(shape=(2,), name="EXT")
    dense, lif = _lif_net()
    inj.out_port.connect(dense.s_in)
    lif.s_out.connect(ext.in_port)
    inj.run(condition=RunSteps(num_steps=12, blocking=False),
            run_cfg=kit.chip_cfg() if chip else kit.cpu_fixed())
    got = []
    for x in spikes:
        inj.send(x)
        got.append(ext.receive())
    inj.wait()
    inj.stop()
    from kilauea.proc.io import source
    src = source.RingBuffer(data=spikes.T.copy(), name="SRC")
    dense, lif = _lif_net()
    src.s_out.connect(dense.s_in)
    want = kit.record(src, [(lif, "s_out")], 12, kit.cpu_fixed())[("L", "s_out")]
    assert want.sum() >= 3
    np.testing.assert_array_equal(np.array(got), want)


class _Dataset:
    """sample i: data (2, T) = i + 1 in row 0 and -(i + 1) in row 1, T = 2;
    ground truth 10 * i."""

    def __init__(self, n=3, t=2):
        self.n, self.t = n, t

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        return np.array([[i + 1] * self.t, [-(i + 1)] * self.t]), 10 * i


@pytest.mark.parametrize("cfg", [kit.cpu_fixed, kit.cpu_float])
def test_spike_dataloader_interval_offset_and_padding(cfg):
    # interval 3, offset 1: loads after steps 2, 5, 8, 11 (samples 0, 1, 2, 0);
    # T = 2 < 3: the third slice of each sample is zero
    dl = SpikeDataloader(dataset=_Dataset(), interval=3, offset=1)
    assert dl.s_out.shape == (2,) and dl.ground_truth.shape == (1,)
    gt = sink.RingBuffer(shape=(1,), buffer=13, name="GT")
    dl.ground_truth.connect(gt.a_in)
    got = _sink_after(dl.s_out, (2,), 13, cfg())
    col = [0, 0, 1, 1, 0, 2, 2, 0, 3, 3, 0, 1, 1]
    np.testing.assert_array_equal(got[:, 0], col)
    np.testing.assert_array_equal(got[:, 1], -np.array(col))


def test_spike_dataloader_ground_truth_and_cut():
    dl = SpikeDataloader(dataset=_Dataset(n=2, t=5), interval=2)
    gt = sink.RingBuffer(shape=(1,), buffer=6, name="GT")
    dl.ground_truth.connect(gt.a_in)
    got = _sink_after(dl.s_out, (2,), 6, kit.cpu_fixed())
    # loads after steps 1, 3, 5 (samples 0, 1, 0); T = 5 cut to 2
    np.testing.assert_array_equal(got[:, 0], [0, 1, 1, 2, 2, 1])
    # (gt was read after stop: the sink's data is gone; check via a fresh run)
    dl = SpikeDataloader(dataset=_Dataset(n=2, t=5), interval=2)
    np.testing.assert_array_equal(_sink_after(dl.ground_truth, (1,), 6, kit.cpu_fixed()).ravel(),
                                  [0, 0, 0, 10, 10, 0])


def test_state_dataloader_writes_a_var():
    class DS:
        def __len__(self):
            return 2

        def __getitem__(self, i):
            return np.array([100, 200]) * (i + 1), i

    lif = LIF(shape=(2,), vth=10 ** 5, name="L")
    dl = StateDataloader(dataset=DS(), interval=2, offset=0)
    dl.connect_var(lif.bias_mant)
    rec = kit.record(lif, [(lif, "v")], 5, kit.cpu_float())
    # bias written after steps 1, 3, 5 (100/200, 200/400, ...): v accumulates from step 2
    np.testing.assert_array_equal(rec[("L", "v")][:, 0], [0, 100, 200, 400, 600])
    with pytest.raises(ValueError, match="shape"):
        StateDataloader(dataset=DS()).connect_var(LIF(shape=(3,)).v)


def test_porting_paths():
    from kilauea.lava.proc.io.dataloader import SpikeDataloader as A, StateDataloader as B
    from kilauea.lava.proc.io.injector import Injector as C
    from kilauea.lava.proc.io.extractor import Extractor as D
    from kilauea.lava.proc.io.utils import ChannelConfig as E
    assert (A, B, C, D, E) == (SpikeDataloader, StateDataloader, Injector, Extractor,
                               ChannelConfig)


def test_stop_ends_a_run_blocked_on_an_empty_injector():
    inj = Injector(shape=(2,), name="INJ")                # blocking when empty
    ext = Extractor(shape=(2,), name="EXT")
    inj.out_port.connect(ext.in_port)
    inj.run(condition=RunSteps(num_steps=100, blocking=False), run_cfg=kit.cpu_float())
    inj.send(np.array([1.0, 2.0]))
    np.testing.assert_array_equal(ext.receive(), [1.0, 2.0])
    done = threading.Event()
    threading.Thread(target=lambda: (inj.stop(), done.set()), daemon=True).start()
    assert done.wait(5.0), "stop() hung on a model blocked on its channel"
