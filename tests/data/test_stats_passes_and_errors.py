"""One pass of ``workbench.stats`` as its caller sees it: the progress it reports (examples done
of how many, and how it ended: done, failed, interrupted), ``batched`` taken as given, and the
errors a user meets word for word (an unknown feature, a column that changes kind)."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

import workbench
from workbench.data import sources
from workbench.data import stats as stats_module
from workbench.data.sources import Source
from workbench.data.stats import compute


class Recorder:
    """A progress display that keeps what it was told, and can stop the pass as Ctrl-C would."""

    def __init__(self, interrupt_at: int | None = None) -> None:
        self.updates: list[tuple[int, int | None]] = []
        self.outcomes: list[str] = []
        self.interrupt_at = interrupt_at

    def update(self, done: int, total: int | None) -> None:
        self.updates.append((done, total))
        if self.interrupt_at is not None and done >= self.interrupt_at:
            raise KeyboardInterrupt

    def close(self, outcome: str) -> None:
        self.outcomes.append(outcome)


def test_progress_counts_examples_of_the_known_total_then_says_done(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sources, "ROWS", 400)
    seen = Recorder()
    compute({"x": np.arange(1_000.0)}, progress=seen)
    assert seen.updates == [(400, 1_000), (800, 1_000), (1_000, 1_000)]
    assert seen.outcomes == ["done"]
    cut = Recorder()
    compute({"x": np.arange(1_000.0)}, max_examples=500, progress=cut)
    assert cut.updates == [(400, 500), (500, 500)]  # of the examples it will read
    endless = tf.data.Dataset.from_tensor_slices({"x": [1.0, 2.0]}).repeat().batch(3)
    unknown = Recorder()
    compute(endless, max_examples=7, progress=unknown)
    assert unknown.updates == [(3, 7), (6, 7), (7, 7)]


def test_an_interrupt_during_the_pass_is_reported_as_interrupted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sources, "ROWS", 100)
    stopped = Recorder(interrupt_at=300)
    with pytest.raises(KeyboardInterrupt):
        compute({"x": np.arange(1_000.0)}, progress=stopped)
    assert stopped.updates[-1] == (300, 1_000)
    assert stopped.outcomes == ["interrupted"]
    failed = Recorder()
    with pytest.raises(TypeError, match="feature 'z'"):
        compute({"z": np.array([1 + 2j, 3j])}, progress=failed)
    assert failed.outcomes == ["failed"]


def test_batched_is_taken_as_given() -> None:
    rows = tf.data.Dataset.from_tensor_slices({"x": np.arange(12.0).reshape(4, 3)})
    assert workbench.stats(rows)["x"].examples == 4  # four examples of three values
    as_batches = compute(rows, batched=True)  # four batches of three single values
    assert (as_batches.examples, as_batches["x"].shapes) == (12, [("()", 12)])
    # batches taken as examples: two examples of six values each
    pairs = compute(rows.batch(2), batched=False)["x"]
    assert (pairs.examples, pairs.per_example) == (2, (6.0, 6.0, 6.0))


def _batches(*batches: dict[str, np.ndarray]) -> Iterator[dict[str, np.ndarray]]:
    yield from batches


def test_a_column_that_changes_kind_between_batches_is_named_with_the_fix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def opened(*batches: dict[str, np.ndarray]) -> None:
        monkeypatch.setattr(
            stats_module, "open_source", lambda *_: Source("generator", None, _batches(*batches))
        )

    opened({"v": np.array(["a", "b", "c"])}, {"v": np.array([1.0, 2.0])})
    with pytest.raises(TypeError) as raised:
        compute(object())
    assert str(raised.value) == (
        "feature 'v': expected strings in every batch (as in the first). Received: numbers after "
        "3 examples; convert the column to one type (e.g. .astype(str)) first"
    )
    opened({"v": np.arange(1_500.0)}, {"v": np.array(["x"])})
    with pytest.raises(TypeError) as raised:
        compute(object())
    assert "expected numbers in every batch (as in the first). Received: strings after 1,500" in (
        str(raised.value)
    )


def test_an_unknown_feature_is_named_with_the_features_there_are() -> None:
    s = workbench.stats(pd.DataFrame({"b": [1], "a": ["x"]}))
    with pytest.raises(KeyError) as raised:
        s["c"]
    assert raised.value.args[0] == "Expected a feature in ['a', 'b']. Received: 'c'"


def test_a_pass_says_whether_max_examples_cut_it_and_how_long_it_took() -> None:
    data = {"x": np.arange(1_000.0)}
    whole = compute(data)
    assert (whole.truncated, whole.examples) == (False, 1_000)
    assert 0 < whole.seconds < 600
    assert not compute(data, max_examples=1_000).truncated  # exactly all of it
    assert not compute(data, max_examples=5_000).truncated
    assert compute(data, max_examples=999).truncated
    bigger = Recorder()
    compute(data, max_examples=5_000, progress=bigger)
    assert bigger.updates == [(1_000, 1_000)]  # of the examples there are
    endless = tf.data.Dataset.from_tensor_slices({"x": [1.0, 2.0]}).repeat().batch(3)
    assert compute(endless, max_examples=6).truncated  # a limit reached: more may follow
