"""Damaged and awkward input gives correct statistics or an error that says what and where:
NaN and Inf, nested and ragged features, all-missing features, mixed types in one column, huge
strings, empty data, infinite pipelines, a column that changes kind, and an interrupted pass."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

import workbench


def test_nan_and_inf_are_counted_apart_from_the_values() -> None:
    values = np.array([1.0, np.nan, np.inf, -np.inf, 3.0, 0.0, np.nan])
    f = workbench.stats({"x": values})["x"]
    assert (f.count, f.nan, f.inf, f.missing, f.zeros) == (3, 2, 2, 2, 1)
    assert (f.min, f.max, f.mean) == (0.0, 3.0, pytest.approx(4 / 3))
    assert "2 infinite values" in f.notes
    counts, _ = f.histogram()
    assert counts.sum() == pytest.approx(3)


def test_all_missing_and_no_finite_value_are_said() -> None:
    s = workbench.stats(pd.DataFrame({"gone": [np.nan] * 5, "name": [None] * 5, "ok": range(5)}))
    assert s["gone"].missing == 5
    assert "all values missing" in s["gone"].notes
    assert s["name"].missing == 5
    assert "all values missing" in s["name"].notes
    assert "all values missing" in s.text()
    assert "all values missing" in s._repr_html_()


def test_nested_ragged_and_sparse_features_are_summarised() -> None:
    nested = tf.data.Dataset.from_tensor_slices(
        {"user": {"age": [30, 40, 50], "tags": tf.ragged.constant([["a"], ["b", "c"], []])}}
    ).batch(2)
    s = workbench.stats(nested)
    tags = s["user/tags"]
    assert (tags.examples, tags.missing, tags.values, tags.ragged) == (3, 1, 3, 1)
    assert dict(tags.top) == {"a": 1, "b": 1, "c": 1}
    assert s["user/age"].mean == 40
    twice = tf.RaggedTensor.from_nested_row_lengths([1.0, 2.0, 3.0, 4.0], [[2, 1], [1, 2, 1]])
    deep = workbench.stats({"d": twice})["d"]
    assert deep.per_example == (1.0, 2.0, 3.0)
    assert "ragged (2 ragged dimensions)" in deep.notes[0]
    sparse = tf.sparse.SparseTensor([[0, 1], [0, 3], [2, 0]], [5.0, 6.0, 7.0], [3, 4])
    sp = workbench.stats({"s": sparse})["s"]
    assert (sp.missing, sp.count, sp.mean) == (1, 3, 6.0)


def test_a_column_of_mixed_types_is_counted_as_strings_and_said() -> None:
    frame = pd.DataFrame({"zip": [12345, "02139", 94105, None, "N/A"] * 200})
    f = workbench.stats(frame)["zip"]
    assert f.kind == "string"
    assert f.missing == 200
    assert dict(f.top) == {"12345": 200, "02139": 200, "94105": 200, "N/A": 200}
    assert f.notes == ["mixed types (int 400, str 400): counted as strings"]


def test_huge_strings_keep_exact_lengths_and_distinct_counts() -> None:
    big = ["x" * 1_000_000 + str(i) for i in range(50)] + ["short"] * 50
    s = workbench.stats({"text": big})
    f = s["text"]
    lengths = [len(v) for v in big]
    assert f.length == (5.0, sum(lengths) / 100, max(lengths))
    assert abs(f.distinct - 51) <= 1  # fingerprints of the whole strings, not of their cut
    assert "50 values longer than 256 bytes (cut there for top values)" in f.notes
    assert len(s._repr_html_()) < 50_000  # shown cut, not 50 MB of x


def test_empty_and_infinite_data_are_clear_errors() -> None:
    with pytest.raises(
        ValueError, match=r"Expected at least one example\. Received: an empty DataFrame"
    ):
        workbench.stats(pd.DataFrame({"a": []}))
    with pytest.raises(ValueError, match=r"an empty tf\.data\.Dataset"):
        workbench.stats(tf.data.Dataset.from_tensor_slices({"a": np.zeros(0)}))
    endless = tf.data.Dataset.from_tensor_slices({"a": [1.0, 2.0]}).repeat()
    with pytest.raises(ValueError, match=r"infinite cardinality .*max_examples=N"):
        workbench.stats(endless)
    assert workbench.stats(endless, max_examples=10).examples == 10
    with pytest.raises(ValueError, match=r"one length .* a: 3, b: 2"):
        workbench.stats({"a": [1, 2, 3], "b": [1, 2]})
    with pytest.raises(TypeError, match=r"Expected a tf\.data\.Dataset, a NumPy array"):
        workbench.stats("data.csv")
    with pytest.raises(TypeError, match="feature 'z': Expected numbers or strings"):
        workbench.stats({"z": np.array([1 + 2j])})


def test_a_feature_that_changes_kind_between_batches_is_named() -> None:
    def rows() -> object:
        yield {"v": np.array([1.0, 2.0])}
        yield {"v": np.array(["a", "b"])}

    class Batches:
        element_spec = None

    from workbench.data import stats as stats_module
    from workbench.data.sources import Source

    def fake_open(*_: object) -> Source:
        return Source("generator", None, iter(rows()))  # type: ignore[arg-type]

    original = stats_module.open_source
    stats_module.open_source = fake_open  # type: ignore[assignment]
    try:
        with pytest.raises(
            TypeError, match=r"feature 'v': expected numbers in every batch .* after 2 examples"
        ):
            stats_module.compute(Batches())
    finally:
        stats_module.open_source = original


def test_an_interrupted_pass_leaves_nothing_behind() -> None:
    def slow() -> object:
        for i in range(100):
            if i == 50:
                raise KeyboardInterrupt
            yield {"x": float(i)}

    dataset = tf.data.Dataset.from_generator(
        slow, output_signature={"x": tf.TensorSpec([], tf.float32)}
    )
    outcomes: list[str] = []

    class Recorder:
        def update(self, done: int, total: int | None) -> None:
            pass

        def close(self, outcome: str) -> None:
            outcomes.append(outcome)

    from workbench.data.stats import compute

    with pytest.raises((KeyboardInterrupt, tf.errors.UnknownError)):
        compute(dataset, progress=Recorder())
    assert outcomes in (["interrupted"], ["failed"])
    again = workbench.stats(tf.data.Dataset.range(10))  # the next pass is unaffected
    assert again["value"].mean == 4.5


def test_a_kernel_interrupt_stops_the_pass_and_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import _thread
    import threading

    from workbench.data import sources
    from workbench.data.stats import compute

    monkeypatch.setattr(sources, "ROWS", 1_000)  # thousands of batches: seconds of work
    outcomes: list[str] = []

    class Recorder:
        def update(self, done: int, total: int | None) -> None:
            pass

        def close(self, outcome: str) -> None:
            outcomes.append(outcome)

    timer = threading.Timer(0.5, _thread.interrupt_main)  # what a kernel's interrupt does
    timer.start()
    try:
        with pytest.raises(KeyboardInterrupt):
            compute({"x": np.random.default_rng(0).random(5_000_000)}, progress=Recorder())
    finally:
        timer.cancel()
    assert outcomes == ["interrupted"]
    assert workbench.stats({"x": [1.0, 2.0]})["x"].mean == 1.5
