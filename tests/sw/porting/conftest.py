import pathlib

import matplotlib
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


@pytest.fixture
def png_show(monkeypatch, tmp_path):
    """For the ported tutorials: ``plt.show()`` writes the current figure to
    ``tmp_path/figN.png`` (returns the list of paths written), and modules beside
    the tests (a tutorial's helper module) are importable."""
    monkeypatch.syspath_prepend(str(pathlib.Path(__file__).parent))
    saved = []

    def show(*args, **kwargs):
        path = tmp_path / f"fig{len(saved) + 1}.png"
        plt.gcf().savefig(path)
        plt.close(plt.gcf())
        saved.append(path)
    monkeypatch.setattr(plt, "show", show)
    return saved
