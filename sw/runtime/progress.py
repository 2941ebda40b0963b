"""Progress bars on long blocking runs (``tqdm.auto``: a terminal bar, or a
widget in a notebook).

A blocking ``RunSteps`` of at least `MIN_STEPS` steps runs in at most
`CHUNKS` chunks of whole steps (the same steps, in the same order: a run of
``n`` steps is the runs of its chunks one after the other), each a multiple
of the chip's batch (``chip.batching.MAX_BATCH`` steps, so that chunking
never shortens a batch of chip steps), and a bar
appears once the run has taken `DELAY_S` seconds, so quick runs never show
one. ``$KILAUEA_PROGRESS``: ``0`` no bars; ``1`` bars even when stderr is no
terminal; unset: bars on a terminal or in a notebook only.
"""
from __future__ import annotations

import os
import typing as ty

from .chip.batching import MAX_BATCH

__all__ = ["MIN_STEPS", "CHUNKS", "DELAY_S", "PROGRESS_ENV", "run_with_progress"]

MIN_STEPS = 50          # shorter runs have no bar (and are not chunked)
CHUNKS = 100            # at most this many bar updates per run
DELAY_S = 1.0           # seconds before the bar appears
PROGRESS_ENV = "KILAUEA_PROGRESS"


def _disable() -> ty.Optional[bool]:
    """tqdm's ``disable``: True (off), False (on), None (on a terminal only)."""
    value = os.environ.get(PROGRESS_ENV, "").strip().lower()
    if value in ("0", "false", "no", "off"):
        return True
    if value in ("1", "true", "yes", "on"):
        return False
    return None


def run_with_progress(run_steps: ty.Callable[[int, int], None], t_first: int, n: int,
                      desc: str = "kilauea") -> None:
    """``run_steps(t_first, n)``, in chunks under a progress bar when the run is long."""
    disable = _disable()
    if n < MIN_STEPS or disable is True:
        run_steps(t_first, n)
        return
    from tqdm.auto import tqdm
    chunk = MAX_BATCH * max(1, -(-n // (CHUNKS * MAX_BATCH)))
    with tqdm(total=n, desc=desc, unit="step", delay=DELAY_S, disable=disable,
              leave=False, dynamic_ncols=True) as bar:
        for t in range(t_first, t_first + n, chunk):
            k = min(chunk, t_first + n - t)
            run_steps(t, k)
            bar.update(k)
