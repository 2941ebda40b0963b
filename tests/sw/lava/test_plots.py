"""``kilauea.lava.utils.plots.raster_plot``."""
import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from kilauea.lava.utils.plots import raster_plot  # noqa: E402


def test_raster_plot_draws_the_spikes_of_every_stride_th_neuron() -> None:
    spikes = np.zeros((5, 8), dtype=int)
    spikes[0, [1, 3]] = 1
    spikes[2, 7] = 1
    spikes[1, 0] = 1                       # skipped with stride 2
    fig = raster_plot(spikes, stride=2, figsize=(4, 3))
    try:
        lines = fig.gca().get_lines()
        points = sorted((int(x), int(y)) for line in lines
                        for x, y in zip(*line.get_data()))
        assert points == [(1, 0), (3, 0), (7, 2)]
        assert tuple(fig.get_size_inches()) == (4, 3)
    finally:
        plt.close(fig)


@pytest.mark.parametrize("spikes, kwargs, match", [
    (np.array([0, 1]), {}, "two dimensions"),
    (np.array([[0, 2]]), {"stride": 1}, "either 0 or 1"),
    (np.zeros((3, 4)), {"stride": 4}, "Stride"),
    (np.zeros((3, 4)), {"stride": 1, "fig": object(), "figsize": (1, 1)},
     "at most one"),
])
def test_raster_plot_refuses_bad_arguments(spikes, kwargs, match) -> None:
    with pytest.raises(ValueError, match=match):
        raster_plot(spikes, **kwargs)
