"""LTTB picks exactly the points of the textbook algorithm (Steinarsson 2013), for any input dtype.

The reference below is the plain per-bucket loop from the thesis, written independently of the
vectorised version: integer bucket edges over the inner points, the next bucket's mean (the final
point for the last bucket), the largest triangle with the previously kept point.
"""

from __future__ import annotations

import numpy as np
import pytest

from workbench.curves.downsample import lttb


def textbook_lttb(x: list[float], y: list[float], n_out: int) -> list[int]:
    n = len(x)
    if n <= n_out:
        return list(range(n))
    inner = n_out - 2
    # bucket b holds the inner points [edge(b), edge(b + 1)); edges in exact integer arithmetic
    edges = [1 + (b * (n - 2)) // inner for b in range(inner + 1)]
    kept = [0]
    for b in range(inner):
        if b + 1 < inner:
            nxt = range(edges[b + 1], edges[b + 2])
            mean_x = sum(x[i] for i in nxt) / len(nxt)
            mean_y = sum(y[i] for i in nxt) / len(nxt)
        else:
            mean_x, mean_y = x[n - 1], y[n - 1]
        ax, ay = x[kept[-1]], y[kept[-1]]
        best, best_area = edges[b], -1.0
        for i in range(edges[b], edges[b + 1]):
            area = abs((ax - mean_x) * (y[i] - ay) - (ax - x[i]) * (mean_y - ay))
            if area > best_area:
                best, best_area = i, area
        kept.append(best)
    kept.append(n - 1)
    return kept


@pytest.mark.parametrize(
    ("n", "n_out", "seed"), [(10, 3, 0), (11, 4, 1), (97, 10, 2), (1000, 37, 3)]
)
def test_the_points_kept_are_the_textbook_ones(n: int, n_out: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(0, 1000, n))
    y = rng.normal(size=n).cumsum()
    assert lttb(x, y, n_out).tolist() == textbook_lttb(x.tolist(), y.tolist(), n_out)


def test_a_rising_ramp_with_one_dip_keeps_the_dip() -> None:
    x = np.arange(30, dtype=float)
    y = x.copy()
    y[17] = -40.0
    keep = lttb(x, y, 5).tolist()
    assert keep == textbook_lttb(x.tolist(), y.tolist(), 5)
    assert 17 in keep


def test_the_last_bucket_looks_ahead_to_the_final_point() -> None:
    x = np.arange(12.0)
    x[-1] = 60.0  # a long gap before the final point
    y = np.array([8.0, 6.0, 5.0, 2.0, 3.0, 0.0, 0.0, 0.0, 1.0, 8.0, 6.0, 9.0])
    assert lttb(x, y, 4).tolist() == textbook_lttb(x.tolist(), y.tolist(), 4) == [0, 5, 9, 11]


def test_unsigned_and_narrow_integer_inputs_pick_what_floats_pick() -> None:
    # steps as uint32 and values as uint8 (counts): differences must not wrap around
    rng = np.random.default_rng(7)
    steps = np.arange(0, 4000, 4, dtype=np.uint32)
    counts = rng.integers(0, 200, len(steps)).astype(np.uint8)
    expected = lttb(steps.astype(float), counts.astype(float), 50).tolist()
    assert lttb(steps, counts, 50).tolist() == expected
    assert lttb(steps.astype(np.int16), counts.astype(float), 50).tolist() == expected
    losses = rng.normal(size=len(steps)).cumsum()
    assert lttb(steps, losses, 50).tolist() == lttb(steps.astype(float), losses, 50).tolist()


def test_few_points_come_back_whole_and_bad_points_are_never_dropped() -> None:
    x = np.arange(5.0)
    assert lttb(x, x, 10).tolist() == [0, 1, 2, 3, 4]
    assert lttb(x, x, 5).tolist() == [0, 1, 2, 3, 4]
    y = np.array([1.0, np.nan, 2.0, np.inf, 3.0, -np.inf, 4.0, 5.0])
    # five finite points for n_out=5: all of them, plus every bad one
    assert lttb(np.arange(8.0), y, 5).tolist() == list(range(8))
    assert lttb(np.arange(3.0), np.arange(3.0), 3).tolist() == [0, 1, 2]  # the smallest n_out


def test_bad_arguments_say_what_was_expected() -> None:
    with pytest.raises(ValueError, match=r"^Expected x and y of one length\. Received: 3 and 2$"):
        lttb(np.arange(3.0), np.arange(2.0), 5)
    with pytest.raises(ValueError, match=r"^Expected n_out >= 3\. Received: 2$"):
        lttb(np.arange(3.0), np.arange(3.0), 2)
