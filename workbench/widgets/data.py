"""``workbench.stats``: :func:`workbench.data.stats.compute` with a progress line in the cell's
output on long passes (shown after a second, updated at most twice a second, and left saying how
long the pass took)."""

from __future__ import annotations

import time
from typing import Any

from IPython import get_ipython
from IPython.display import DisplayHandle, display

from workbench.data.stats import DataStats, compute

SHOW_AFTER = 1.0  # s: a pass quicker than this shows no progress at all
EVERY = 0.5  # s between updates


class CellProgress:
    """A progress line in the running cell's output (nothing outside IPython)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.start = time.monotonic()
        self.last = 0.0
        self.handle: DisplayHandle | None = None
        self.done = 0

    def _bundle(self, text: str) -> dict[str, str]:
        return {"text/plain": text}

    def update(self, done: int, total: int | None) -> None:
        self.done = done
        now = time.monotonic()
        if now - self.start < SHOW_AFTER or now - self.last < EVERY or get_ipython() is None:
            return
        self.last = now
        elapsed = now - self.start
        rate = done / elapsed if elapsed else 0.0
        if total:
            left = (total - done) / rate if rate else 0.0
            text = f"{self.what}: {done:,} of {total:,} examples ({done / total:.0%})"
            text += f", ~{left:.0f} s left"
        else:
            text = f"{self.what}: {done:,} examples, {rate:,.0f}/s"
        text += " (interrupt the kernel to stop)"
        if self.handle is None:
            self.handle = display(self._bundle(text), raw=True, display_id=True)
        else:
            self.handle.update(self._bundle(text), raw=True)

    def close(self, outcome: str) -> None:
        if self.handle is None:
            return
        if outcome == "done":  # a line that says what it took, not an empty output
            seconds = time.monotonic() - self.start
            self.handle.update(
                self._bundle(f"{self.what}: read {self.done:,} examples in {seconds:.1f} s"),
                raw=True,
            )
        else:
            self.handle.update(
                self._bundle(f"{self.what}: {outcome} after {self.done:,} examples; nothing kept"),
                raw=True,
            )


def stats(data: Any, max_examples: int | None = None, *, batched: bool | None = None) -> DataStats:
    """Statistics of every feature of ``data``, in one streaming pass.

    Per feature: type, count, missing; for numbers mean, std, min, max, zeros, NaN and Inf,
    quantiles and a histogram; for strings distinct values, top values with their counts and
    lengths; for images, lists and sequences their shapes. Shown as a sortable table with a
    sparkline per feature (and as text); ``.infer_schema()``, ``workbench.validate`` and
    ``workbench.compare`` read it.

    Args:
        data: a ``tf.data.Dataset`` (of dicts, tuples or nests; batched or not), a NumPy array,
            a pandas DataFrame or a dict of arrays.
        max_examples: read at most this many examples (None: all of them).
        batched: whether a ``tf.data.Dataset``'s elements are batches (default: the nearest
            batching step up its pipeline says).

    Returns:
        The statistics (:class:`workbench.data.stats.DataStats`).

    Raises:
        ValueError: an empty dataset, no features, or an infinite pipeline without
            ``max_examples``.
        TypeError: data it does not read, or a feature that changes kind between batches.

    Example:
        >>> train_stats = workbench.stats(train_ds)
        >>> schema = train_stats.infer_schema()
        >>> workbench.validate(serving_df, schema)
        >>> workbench.compare(train_stats, workbench.stats(serving_df))
    """
    return compute(data, max_examples, batched=batched, progress=CellProgress("workbench.stats"))
