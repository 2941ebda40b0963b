"""io.dataloader: SpikeDataloader and StateDataloader (lava-nc 0.10
``lava.proc.io.dataloader``) stream a dataset's samples into a network.

The dataset is any indexable with ``len``; ``dataset[i]`` returns
``(data, ground_truth)`` (the ground truth a scalar or an array). Samples
are taken in order and wrap around. A new sample is loaded in the
management phase of the steps ``t`` (from 1) with
``(t - 1) % interval == offset % interval``, so it acts from step ``t + 1``.

- ``SpikeDataloader(dataset=, interval=1, offset=0)``: ``data`` has shape
  ``(*shape, T)`` (last axis time); ``s_out`` (``shape``) sends one time
  slice per step: after a load at step ``t``, steps ``t + 1 ..
  t + interval`` send ``data[..., 0 .. interval - 1]`` (zero-padded when
  ``T < interval``, cut when longer). Before the first load it sends zeros.
- ``StateDataloader(dataset=, interval=1, offset=0)``: ``connect_var(var)``
  ties its ``state`` RefPort to another process's Var; each load writes
  ``data`` (shape of the Var) into it.

Both send the current sample's ground truth on ``ground_truth`` every step
(0 before the first load).
"""
from __future__ import annotations

import typing as ty

import numpy as np

from .._api import (AbstractProcess, Var, OutPort, RefPort, PyLoihiProcessModel, LavaPyType,
                    PyOutPort, PyRefPort, implements, requires, tag, CPU, LoihiProtocol)

__all__ = ["AbstractDataloader", "SpikeDataloader", "StateDataloader", "PySpikeModelFixed",
           "PySpikeModelFloat", "PyStateModelFixed", "PyStateModelFloat"]


def _gt_shape(ground_truth) -> tuple:
    return (1,) if np.isscalar(ground_truth) else tuple(np.asarray(ground_truth).shape)


class AbstractDataloader(AbstractProcess):
    """Vars ``interval``, ``offset`` (stored ``offset % interval``); port
    ``ground_truth``; the dataset in ``proc_params['saved_dataset']``."""

    def __init__(self, gt_shape: tuple, dataset: ty.Sequence, interval: int = 1,
                 offset: int = 0, **kwargs) -> None:
        if isinstance(interval, bool) or int(interval) != interval or interval < 1:
            raise ValueError(f"{type(self).__name__} 'interval' must be an integer >= 1, "
                             f"got {interval!r}")
        if isinstance(offset, bool) or int(offset) != offset or offset < 0:
            raise ValueError(f"{type(self).__name__} 'offset' must be an integer >= 0, "
                             f"got {offset!r}")
        if len(dataset) < 1:
            raise ValueError(f"{type(self).__name__}: the dataset is empty")
        interval, offset = int(interval), int(offset)
        super().__init__(gt_shape=gt_shape, interval=interval, offset=offset, **kwargs)
        self.interval = Var(shape=(1,), init=interval)
        self.offset = Var(shape=(1,), init=offset % interval)
        self.ground_truth = OutPort(shape=gt_shape)
        self.proc_params["saved_dataset"] = dataset


class AbstractPyDataloaderModel(PyLoihiProcessModel):
    ground_truth: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    interval: np.ndarray = LavaPyType(np.ndarray, int)
    offset: np.ndarray = LavaPyType(np.ndarray, int)

    sample_id = 0
    _gt = None

    def ground_truth_array(self) -> np.ndarray:
        if self._gt is None:
            return np.zeros(self.ground_truth.shape)
        return np.array([self._gt]) if np.isscalar(self._gt) else np.asarray(self._gt)

    def post_guard(self) -> bool:
        interval = int(np.asarray(self.interval).reshape(-1)[0])
        offset = int(np.asarray(self.offset).reshape(-1)[0])
        return (self.time_step - 1) % interval == offset

    def next_sample(self):
        dataset = self.proc_params["saved_dataset"]
        data, self._gt = dataset[self.sample_id]
        self.sample_id = (self.sample_id + 1) % len(dataset)
        return np.asarray(data)


# ------------------------------------------------------------------ spikes
class SpikeDataloader(AbstractDataloader):
    """Sends each sample's spikes (``data`` of shape ``(*shape, T)``) one
    time slice per step, a new sample every ``interval`` steps.

    Parameters: ``dataset`` (``dataset[i] -> (data, ground_truth)``),
    ``interval`` (default 1), ``offset`` (default 0).
    Ports: ``s_out`` (``data.shape[:-1]``), ``ground_truth``.
    Vars: ``data`` (``(*shape, interval)``, the current sample), ``interval``,
    ``offset``.
    """

    def __init__(self, *, dataset: ty.Sequence, interval: int = 1, offset: int = 0,
                 **kwargs) -> None:
        data, ground_truth = dataset[0]
        data = np.asarray(data)
        if data.ndim < 2:
            raise ValueError("SpikeDataloader: a sample's data needs a shape (*shape, T) "
                             f"with at least 2 dimensions, got {data.shape}")
        super().__init__(_gt_shape(ground_truth), dataset, interval, offset, **kwargs)
        shape = data.shape[:-1] + (int(interval),)
        self.data = Var(shape=shape, init=np.zeros(shape, dtype=data.dtype))
        self.s_out = OutPort(shape=data.shape[:-1])


class AbstractPySpikeDataloaderModel(AbstractPyDataloaderModel):
    s_out = None
    data = None
    sample_time = 0

    def run_spk(self) -> None:
        k = self.data.shape[-1]
        self.s_out.send(self.data[..., self.sample_time % k])
        self.ground_truth.send(self.ground_truth_array())
        self.sample_time += 1

    def run_post_mgmt(self) -> None:
        data = self.next_sample()
        k = self.data.shape[-1]
        new = np.zeros_like(self.data)
        t = min(k, data.shape[-1])
        new[..., :t] = data[..., :t]
        self.data[...] = new
        self.sample_time = 0


@implements(proc=SpikeDataloader, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PySpikeModelFixed(AbstractPySpikeDataloaderModel):
    """SpikeDataloader, int32 data."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, np.int32, precision=24)
    data: np.ndarray = LavaPyType(np.ndarray, np.int32)


@implements(proc=SpikeDataloader, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PySpikeModelFloat(AbstractPySpikeDataloaderModel):
    """SpikeDataloader, float data."""

    s_out: PyOutPort = LavaPyType(PyOutPort.VEC_DENSE, float)
    data: np.ndarray = LavaPyType(np.ndarray, float)


# ------------------------------------------------------------------- state
class StateDataloader(AbstractDataloader):
    """Writes each sample's ``data`` into a connected Var (``connect_var``),
    a new sample every ``interval`` steps.

    Parameters: ``dataset``, ``interval`` (default 1), ``offset`` (default 0).
    Ports: ``state`` (RefPort), ``ground_truth``. Vars: ``interval``, ``offset``.
    """

    def __init__(self, *, dataset: ty.Sequence, interval: int = 1, offset: int = 0,
                 **kwargs) -> None:
        data, ground_truth = dataset[0]
        super().__init__(_gt_shape(ground_truth), dataset, interval, offset, **kwargs)
        self.state = RefPort(np.asarray(data).shape)

    def connect_var(self, var: Var) -> None:
        """Tie ``state`` to ``var`` (another process's Var, of the data's shape)."""
        if tuple(var.shape) != tuple(self.state.shape):
            raise ValueError(f"StateDataloader: the Var '{var.name}' of shape {var.shape} "
                             f"does not match the data's shape {self.state.shape}")
        self.state.connect_var(var)


class AbstractPyStateDataloaderModel(AbstractPyDataloaderModel):
    state = None

    def run_spk(self) -> None:
        self.ground_truth.send(self.ground_truth_array())

    def run_post_mgmt(self) -> None:
        self.state.write(self.next_sample())


@implements(proc=StateDataloader, protocol=LoihiProtocol)
@requires(CPU)
@tag("fixed_pt")
class PyStateModelFixed(AbstractPyStateDataloaderModel):
    """StateDataloader, int32 writes."""

    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, np.int32)


@implements(proc=StateDataloader, protocol=LoihiProtocol)
@requires(CPU)
@tag("floating_pt")
class PyStateModelFloat(AbstractPyStateDataloaderModel):
    """StateDataloader, float writes."""

    state: PyRefPort = LavaPyType(PyRefPort.VEC_DENSE, float)
