"""A metric's history keeps every step, wall time and value exactly, grows by doubling (amortised
O(1) appends), and hands out views of the filled part."""

from __future__ import annotations

import numpy as np
import pytest

from workbench.curves.series import Series


def test_every_point_is_kept_exactly_with_integer_steps() -> None:
    series = Series()
    big = 2**53 + 1  # not representable as a float64
    for i in range(600):  # past the first two growths
        series.append(big + i, 1000.0 + i / 4, i / 8)
    assert series.steps.dtype.kind == "i"
    assert series.steps.tolist() == [big + i for i in range(600)]
    assert series.wall_times.tolist() == [1000.0 + i / 4 for i in range(600)]
    assert series.values.tolist() == [i / 8 for i in range(600)]
    series.extend(np.array([big + 600, big + 601]), np.array([5.0, 6.0]), np.array([7.0, 8.0]))
    assert series.steps[-2:].tolist() == [big + 600, big + 601]
    assert series.wall_times[-2:].tolist() == [5.0, 6.0]
    assert series.last() == (big + 601, 8.0)


def test_appends_reallocate_a_logarithmic_number_of_times() -> None:
    series = Series()
    buffers = 0
    base = None
    for i in range(20_000):
        series.append(i, 0.0, 0.0)
        if series.steps.base is not base:
            buffers += 1
            base = series.steps.base
    # doubling from a few hundred: a handful of buffers, not one per append
    assert buffers <= 8
    assert series.steps.tolist() == list(range(20_000))


def test_extend_grows_past_a_doubling_when_it_must() -> None:
    series = Series()
    series.append(0, 0.0, 0.0)
    series.extend(np.arange(1, 5000), np.zeros(4999), np.arange(1, 5000) / 2)
    assert len(series) == 5000
    assert series.values[-1] == pytest.approx(4999 / 2)
    assert series.steps[-2:].tolist() == [4998, 4999]
    assert series.values[-2:].tolist() == [2499.0, 2499.5]
    assert series.steps[4998] == 4998


def test_an_empty_series_has_no_last_point_and_mismatched_arrays_are_refused() -> None:
    series = Series()
    assert series.last() is None
    assert len(series.steps) == len(series.values) == 0
    with pytest.raises(
        ValueError,
        match=r"^Expected steps, wall_times and values of one length\. Received: 1, 2, 2$",
    ):
        series.extend(np.array([1]), np.zeros(2), np.ones(2))


def test_an_extend_that_exactly_fills_the_buffer_does_not_reallocate() -> None:
    series = Series()
    series.append(0, 0.0, 0.0)
    buffer = series.steps.base
    room = buffer.size - len(series)
    series.extend(np.arange(1, room + 1), np.zeros(room), np.zeros(room))
    assert series.steps.base is buffer  # full, but no copy yet
    series.append(room + 1, 0.0, 0.0)
    assert series.steps.base is not buffer
    assert series.steps.tolist() == list(range(room + 2))
