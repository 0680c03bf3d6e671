"""How many examples and values the pass reads, reports and samples: with ``max_examples`` past
the end of the data, as many as the data has (not as many as the limit allows); with several
values an example, the quantile sketch's share is of the values."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.data import accumulate
from workbench.data.stats import compute


class Recorder:
    def __init__(self) -> None:
        self.updates: list[tuple[int, int | None]] = []

    def update(self, done: int, total: int | None) -> None:
        self.updates.append((done, total))

    def close(self, outcome: str) -> None:
        pass


def test_progress_is_of_the_examples_there_are_when_the_limit_is_past_them() -> None:
    seen = Recorder()
    s = compute({"x": np.arange(1_000.0)}, max_examples=5_000, progress=seen)
    assert (s.examples, s.truncated, seen.updates) == (1_000, False, [(1_000, 1_000)])


def test_the_sketch_samples_by_the_examples_there_are_when_the_limit_is_past_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(accumulate, "SKETCHED", 1_000)  # values the sketch is to see
    values = np.random.default_rng(0).normal(size=4_000)
    sketch = compute({"x": values}, max_examples=16_000)["x"].sketch
    # a quarter of 4,000 values, about (a sixteenth of 16,000 would be ~250); binomial sd ~27
    assert 850 < sketch.n < 1_150
    assert compute({"x": values}, max_examples=800)["x"].sketch.n == 800  # fewer: every one


def test_the_sketch_samples_by_values_not_examples_for_several_values_an_example(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(accumulate, "SKETCHED", 1_000)
    images = np.random.default_rng(1).normal(size=(1_000, 2, 2))  # 4,000 values
    sketch = compute({"image": images})["image"].sketch
    assert 850 < sketch.n < 1_150  # a quarter of the values (not a quarter of 1,000 examples)
