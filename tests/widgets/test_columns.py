"""A series as the live view draws it (``workbench.widgets.columns``): columns built point by point
equal columns built at once, whatever the chunks; the span doubles as steps grow; the view's own
merge (``columns.ts``) ends with the kernel's columns, checked on a recorded stream that the
TypeScript tests replay (``extensions/test/widgets/livecurves/columns.cases.json``)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

from tests.conftest import REPO
from tests.widgets.replica import held
from workbench.widgets.columns import FIELDS, Columns, ema, smooth, zigzag

STREAM = REPO / "extensions" / "test" / "widgets" / "livecurves" / "columns.cases.json"


def _same(a: Columns, b: Columns) -> None:
    assert (a.width, a.size, a.origin, a.first_step, a.last_step) == (
        b.width,
        b.size,
        b.origin,
        b.first_step,
        b.last_step,
    )
    np.testing.assert_array_equal(a.rows(), b.rows())


@pytest.mark.parametrize("chunk", [1, 7, 333, 10_000])
def test_columns_built_in_chunks_equal_columns_built_at_once(chunk: int) -> None:
    rng = np.random.default_rng(chunk)
    steps = np.arange(5, 20_005)
    # integers: sums are exact in any order, so the whole row must match
    values = rng.integers(-500, 500, len(steps)).astype(np.float64)
    at_once = Columns(100)
    at_once.add(steps, values)
    in_chunks = Columns(100)
    for start in range(0, len(steps), chunk):
        assert in_chunks.add(steps[start : start + chunk], values[start : start + chunk])
    _same(at_once, in_chunks)
    assert at_once.size == 256  # 20,000 steps in at most 100 columns: 256 a column
    assert at_once.agg.count.sum() == len(steps)


def test_a_column_keeps_first_lowest_highest_and_last_in_order() -> None:
    columns = Columns(4)
    columns.add([0, 0, 0, 0, 1, 1], [5.0, 9.0, 1.0, 3.0, 2.0, 0.0])
    assert [dict(zip(FIELDS, row, strict=True)) for row in columns.rows().tolist()] == [
        # 9 came before 1: a (the first of the two) is the highest
        {"column": 0, "count": 4, "sum": 18, "first": 5, "a": 9, "b": 1, "last": 3},
        {"column": 1, "count": 2, "sum": 2, "first": 2, "a": 2, "b": 0, "last": 0},
    ]
    assert columns.positions().tolist() == [0, 1]


def test_the_span_doubles_as_an_axis_that_extends() -> None:
    columns = Columns(4)
    columns.add([10, 11, 12, 13], [1.0, 2.0, 3.0, 4.0])
    assert (columns.size, columns.filled.tolist()) == (1, [0, 1, 2, 3])
    columns.sent(columns.dirty_columns())
    columns.add([14], [5.0])  # past the 4th column: 2 steps a column, pairs merged
    assert columns.size == 2
    assert columns.rows().tolist() == [
        [0, 2, 3, 1, 1, 2, 2],
        [1, 2, 7, 3, 3, 4, 4],
        [2, 1, 5, 5, 5, 5, 5],
    ]
    # only the column the new point changed is to be sent: the view merges the others itself
    assert columns.dirty_columns().tolist() == [2]
    columns.add([100], [0.0])  # 90 steps on: 32 a column
    assert columns.size == 32
    assert columns.positions().tolist() == [25, 89]  # middles (within the series' steps)


def test_non_finite_values_stay_out_of_the_columns() -> None:
    columns = Columns(8)
    columns.add([1, 2, 3, 4], [1.0, float("nan"), float("inf"), 2.0])
    assert columns.agg.count.sum() == 2
    assert (columns.first_step, columns.last_step) == (1, 4)
    empty = Columns(8)
    assert empty.add([1], [float("nan")])
    assert empty.origin is None
    assert empty.rows().shape == (0, len(FIELDS))


def test_a_step_before_the_first_asks_for_new_columns() -> None:
    columns = Columns(8)
    columns.add([5, 6], [1.0, 2.0])
    assert not columns.add([4], [3.0])  # nothing added: build them anew from every point
    assert columns.agg.count.sum() == 2
    assert columns.add([5], [0.5])  # an earlier step within the span is fine
    assert columns.rows()[0].tolist() == [0, 2, 1.5, 1, 1, 0.5, 0.5]


def test_ema_is_tensorboards_smoothing() -> None:
    assert ema(np.array([1.0, 3.0]), 0.5).tolist() == [1, (0.5 * 0.5 + 0.5 * 3) / 0.75]
    assert ema(np.array([2.0, 2.0, 2.0]), 0.9).tolist() == pytest.approx([2, 2, 2])
    out = ema(np.array([1.0, np.nan, 1.0]), 0.6)
    assert np.isnan(out[1])
    assert out[2] == pytest.approx(1)
    assert ema(np.array([3.0, 1.0]), 0).tolist() == [3, 1]


def test_the_lines_drawn_from_columns() -> None:
    columns = Columns(4)
    columns.add([0, 0, 0, 0, 1, 2], [5.0, 9.0, 1.0, 3.0, 4.0, -1.0])
    x, y = zigzag(columns, np.isfinite)
    assert list(zip(x.tolist(), y.tolist(), strict=True)) == [
        (0, 5),
        (0, 9),
        (0, 1),
        (0, 3),
        (1, 4),
        (2, -1),
    ]
    x, y = zigzag(columns, lambda v: np.isfinite(v) & (v > 0))  # a log axis
    assert y.tolist() == [5, 9, 1, 3, 4]
    x, y = smooth(columns, 0)
    assert (x.tolist(), y.tolist()) == ([0, 1, 2], [4.5, 4, -1])


# --- a recorded stream, replayed by the TypeScript tests ---------------------------------------


def _stream() -> dict[str, Any]:
    """What a widget sends for a run whose span doubles many times, on a budget too small for
    its pushes (so columns wait, newest first), with a step logged before the first (a rebuild);
    and the kernel's columns at the end."""
    import comm

    from tests.widgets.recording import Decoded, RecordingComm
    from workbench.curves.store import Run
    from workbench.widgets.live_curves import CurvesWidget

    custom: list[Decoded] = []
    original = comm.create_comm
    comm.create_comm = lambda **kwargs: RecordingComm(custom, **kwargs)
    try:
        ticks = iter(np.arange(0, 1000, 0.01))
        run = Run("stream", None)
        widget = CurvesWidget(run, run_id="stream-1", width=64, clock=lambda: float(next(ticks)))
        step = 1
        for chunk in (3, 10, 40, 200, 1000, 5000, 20):
            for _ in range(chunk):
                run.log(step, {"loss": float((step * 7919) % 1000) / 7})
                if step % 50 == 0:
                    run.log(step, {"loss": float(step % 13)}, split="validation")
                step += 1
            widget.push()
            if chunk == 200:
                run.log(0, {"loss": 3.5})  # before the first step: columns built anew
        widget.push(final=True)
    finally:
        comm.create_comm = original
    messages = [
        {
            "series": content["series"],
            "rows": [array.reshape(-1, len(FIELDS)).tolist() for array in arrays],
        }
        for content, arrays in custom
        if content.get("type") == "columns"
    ]
    expected = {
        f"{split}/{metric}": columns.rows().tolist()
        for (split, metric), columns in widget._columns.items()
    }
    return {"messages": messages, "expected": expected}


def _reset_positions(stream: dict[str, Any]) -> Iterator[int]:
    for index, message in enumerate(stream["messages"]):
        if any(header["reset"] for header in message["series"]):
            yield index


def test_the_recorded_stream_is_what_the_kernel_sends(sent: Any) -> None:
    stream = _stream()
    assert json.loads(STREAM.read_text()) == stream, (
        "the kernel's columns messages changed: run `python -m tests.widgets.test_columns` to "
        "record them again for the TypeScript tests"
    )
    headers = [h for message in stream["messages"] for h in message["series"]]
    sizes = [h["size"] for h in headers if h["key"] == "train/loss"]
    assert sizes[0] == 1
    assert max(sizes) >= 64  # doubled at least 6 times
    assert len(list(_reset_positions(stream))) >= 2  # the first message, and the rebuild
    partial = [h for h in headers if h["n"] < 64 and h["key"] == "train/loss"]
    assert partial  # the budget held some columns back


def test_a_view_replaying_the_stream_holds_the_kernels_columns(sent: Any) -> None:
    stream = _stream()
    views = held(
        ({"type": "columns", "series": m["series"]}, [np.array(r).reshape(-1) for r in m["rows"]])
        for m in stream["messages"]
    )
    assert set(views) == set(stream["expected"])
    for key, rows in stream["expected"].items():
        np.testing.assert_array_equal(views[key].rows(), np.array(rows).reshape(-1, len(FIELDS)))


if __name__ == "__main__":
    STREAM.write_text(json.dumps(_stream()) + "\n")
    print(f"wrote {STREAM}")
