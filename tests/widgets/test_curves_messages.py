"""The live curves widget's messages, exactly, through a recording comm: a push sends the columns
that changed (every column again at pushes 2, 4, 8...), a doubled span sends only new columns,
the traffic budget holds columns back newest first, the view's width sizes the columns, and the
final chart is the live view at its last state (its ticks, smoothing, log scale, grid)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from tests.widgets.conftest import Sent
from tests.widgets.replica import held, same_columns
from workbench.curves.store import Run
from workbench.widgets.live_curves import BURST, BYTES_PER_SECOND, DEFAULT_WIDTH, CurvesWidget
from workbench.widgets.messages import ColumnsHeader

PLOTLY = "application/vnd.plotly.v1+json"


class Clock:
    """A clock the test moves: the traffic budget refills only when told."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def header(**fields: Any) -> ColumnsHeader:
    base: dict[str, Any] = {
        "key": "train/loss",
        "group": "loss",
        "split": "train",
        "reset": False,
        "width": DEFAULT_WIDTH,
        "size": 1,
        "origin": 1,
        "first": 1,
        "last": 1,
        "n": 0,
    }
    return {**base, **fields}  # type: ignore[typeddict-item]


def log(run: Run, steps: range, value: Any = None) -> None:
    for step in steps:
        run.log(step, {"loss": float(step) if value is None else value(step)})


def columns(sent: Sent) -> list[tuple[list[ColumnsHeader], list[list[int]]]]:
    """Each columns message: its headers and, per series, the columns it carried."""
    return [
        (content["series"], [array.reshape(-1, 7)[:, 0].astype(int).tolist() for array in arrays])
        for content, arrays in sent
        if content.get("type") == "columns"
    ]


def request(method: str, params: dict[str, Any], id: int = 1) -> dict[str, Any]:
    return {"type": "request", "id": id, "method": method, "params": params}


def test_a_push_sends_what_changed_and_every_column_at_pushes_2_4_8(sent: Sent) -> None:
    run = Run("r", None)
    widget = CurvesWidget(run, run_id="r-1", clock=Clock())
    log(run, range(1, 4))
    assert widget.push() == 3  # the first: the view's copy starts afresh
    log(run, range(4, 5))
    assert widget.push() == 4  # push 2: every column again (a view may have missed the first)
    log(run, range(5, 6))
    assert widget.push() == 1  # only the new point's column
    assert widget.push() == 5  # push 4: everything again
    assert widget.push() == 0  # nothing new: nothing sent
    assert columns(sent) == [
        ([header(reset=True, last=3, n=3)], [[0, 1, 2]]),
        ([header(last=4, n=4)], [[0, 1, 2, 3]]),
        ([header(last=5, n=1)], [[4]]),
        ([header(last=5, n=5)], [[0, 1, 2, 3, 4]]),
    ]
    same_columns(held(sent)["train/loss"], widget._columns[("train", "loss")])


def test_a_doubled_span_sends_only_the_columns_new_points_changed(sent: Sent) -> None:
    run = Run("r", None)
    widget = CurvesWidget(run, run_id="r-1", width=64, clock=Clock())
    log(run, range(1, 65))
    widget.push()
    widget.push()  # push 2: the refresh
    sent.clear()
    log(run, range(65, 71))  # past 64 columns: two steps a column from now on
    widget.push()
    ((series, rows),) = columns(sent)
    assert series == [header(width=64, size=2, last=70, n=3)]
    assert rows == [[32, 33, 34]]  # steps 65-70; the view merges columns 0-63 itself
    same_columns(
        held([*sent_before(widget), *sent])["train/loss"], widget._columns[("train", "loss")]
    )


def sent_before(widget: CurvesWidget) -> Sent:
    """The view's copy before the test's messages, as the kernel's columns then (a reset)."""
    kernel = widget._columns[("train", "loss")]
    copy = held([])  # a view that holds nothing
    assert copy == {}
    rows = kernel.rows()
    rows = rows[rows[:, 0] < 32]  # the columns unchanged by the doubling's new points
    before = header(
        width=kernel.width, size=kernel.size, origin=kernel.origin, reset=True, n=len(rows)
    )
    before["first"], before["last"] = kernel.first_step or 0, kernel.last_step or 0
    return [({"type": "columns", "series": [before]}, [rows.reshape(-1)])]


def test_the_budget_holds_columns_back_newest_first(sent: Sent) -> None:
    clock = Clock()
    later: list[tuple[float, Any]] = []  # what the widget asked to be called back for
    run = Run("r", None)
    widget = CurvesWidget(
        run, run_id="r-1", width=1000, clock=clock, later=lambda s, fn: later.append((s, fn))
    )
    log(run, range(1, 1001))  # a point in each of 1,000 columns: 56 KB, more than a burst
    first = widget.push()
    assert 0 < first < 1000
    assert columns(sent)[0][1] == [list(range(1000 - first, 1000))]  # the newest
    # the rest goes when the budget refills, even if no push comes (a loop that pauses)
    assert [s for s, _ in later] == [BURST / BYTES_PER_SECOND]
    assert widget.push() == 0  # no tokens left: nothing (and the refresh of push 2 waits)
    assert len(later) == 1  # one call back pending, not one a push
    clock.now += 10  # the bucket refills (to its burst, no more)
    later.pop()[1]()
    assert columns(sent)[-1][1] == [list(range(1000 - 2 * first, 1000 - first))]
    while later:
        clock.now += 10
        later.pop()[1]()
    same_columns(held(sent)["train/loss"], widget._columns[("train", "loss")])
    # every message fits the burst: the bucket never lends
    payload = [sum(a.nbytes for a in arrays) for content, arrays in sent]
    assert max(payload) <= BURST
    assert BYTES_PER_SECOND >= BURST  # a second's budget covers a burst
    widget.close()
    log(run, range(1001, 3001))
    assert widget.push() == 0
    assert later == []  # a closed widget sends nothing and asks for nothing


def test_the_final_push_goes_whatever_the_budget(sent: Sent) -> None:
    run = Run("r", None)
    widget = CurvesWidget(run, run_id="r-1", width=1000, clock=Clock(), later=lambda s, fn: None)
    log(run, range(1, 1001))
    widget.push()
    assert widget.push(final=True) == 1000 - len(columns(sent)[0][1][0])
    same_columns(held(sent)["train/loss"], widget._columns[("train", "loss")])


def test_the_views_width_sizes_the_columns(sent: Sent) -> None:
    run = Run("r", None)
    widget = CurvesWidget(run, run_id="r-1", width=1000, clock=Clock(), later=lambda s, f: None)
    log(run, range(1, 1001))
    # the view's grid: one panel, whose plot area is 64 px narrower (its axes' labels)
    widget.comm.receive(request("resize", {"width": 1064}))  # 1000 columns already
    assert [c for c, _ in sent] == [{"type": "response", "id": 1, "result": None}]
    sent.clear()
    widget.comm.receive(request("resize", {"width": 314.7}, id=2))
    ((series, rows),) = columns(sent)
    assert series == [header(reset=True, width=250, size=4, last=1000, n=250)]
    assert rows == [list(range(250))]
    assert sent[-1][0] == {"type": "response", "id": 2, "result": None}
    assert widget._columns[("train", "loss")].agg.count.tolist() == [4] * 250
    sent.clear()
    # a second metric: two panels a row, each half the grid (less the 8 px between them)
    run.log(1001, {"loss": 0.5, "accuracy": 0.5})
    widget.push()
    ((series, _),) = columns(sent)
    assert [(h["key"], h["reset"], h["width"]) for h in series] == [
        ("train/loss", True, 89),
        ("train/accuracy", True, 89),
    ]
    sent.clear()
    widget.comm.receive(request("sync", {"width": 10}, id=3))  # at least 64 columns
    assert columns(sent)[0][0][0]["width"] == 64
    sent.clear()
    widget.comm.receive(request("sync", {"width": "wide"}, id=4))
    assert sent == [
        (
            {
                "type": "response",
                "id": 4,
                "error": {
                    "message": "sync failed: ValueError: Expected width as a number of pixels. "
                    "Received: 'wide'"
                },
            },
            [],
        )
    ]


def test_a_concluded_view_answers_sync_with_nothing(sent: Sent) -> None:
    run = Run("r", None)
    widget = CurvesWidget(run, run_id="r-1", clock=Clock())
    log(run, range(1, 4))
    widget.conclude(subtitle="done")  # never shown: closed
    assert widget.comm is None


def test_smoothing_is_a_weight_in_0_1(sent: Sent) -> None:
    widget = CurvesWidget(Run("r", None), run_id="r-1")
    with pytest.raises(Exception, match=r"Expected smoothing in \[0, 1\). Received: 1.0"):
        widget.smoothing = 1.0


# --- the final chart is the live view at its last state ----------------------------------------


def long_run() -> Run:
    run = Run("big", None)
    for step in range(1, 200_001):
        loss = 2 / (1 + step / 20_000) + 0.1 * np.sin(step / 40)
        run.log(step, {"loss": float("nan") if step == 150_000 else loss, "accuracy": step / 2e5})
    return run


def test_the_final_chart_has_the_live_views_ticks_smoothing_and_marks(sent: Sent) -> None:
    widget = CurvesWidget(long_run(), run_id="big-1", smoothing=0.8)
    chart = widget.chart()
    loss, accuracy = chart.panels
    assert loss.x is not None
    assert loss.y is not None
    assert loss.x.labels == ["0", "50k", "100k", "150k", "200k"]  # human units, to the end
    assert loss.y.labels == ["0.5", "1.0", "1.5", "2.0"]
    kernel = widget._columns[("train", "loss")]
    assert len(kernel.filled) == 391  # 200k steps at 512 a column: what the view draws
    (series,) = loss.series
    means = kernel.agg.total[kernel.filled] / kernel.agg.count[kernel.filled]
    from workbench.widgets.columns import ema

    np.testing.assert_array_equal(series.smooth_y, ema(means, 0.8))

    figure = widget.final_bundle(subtitle="step 200000")[PLOTLY]
    layout = figure["layout"]
    assert layout["xaxis"]["ticktext"] == loss.x.labels
    assert layout["yaxis"]["ticktext"] == loss.y.labels
    assert layout["xaxis"]["range"] == [0, 200_000]
    assert layout["xaxis2"]["ticktext"] == accuracy.x.labels  # type: ignore[union-attr]
    marks = [a["hovertext"] for a in layout["annotations"] if "hovertext" in a]
    assert marks == ["loss=NaN at step 150000"]
    assert "smoothing 0.80" in layout["annotations"][0]["text"]
    raw, smoothed = figure["data"][:2]
    assert raw["opacity"] == 0.3  # the columns faint, the smoothed line solid
    assert smoothed["line"]["width"] == 1.5


def test_the_final_chart_follows_the_views_log_scale(sent: Sent) -> None:
    widget = CurvesWidget(long_run(), run_id="big-1")
    widget.log_scale = True
    loss = widget.chart().panels[0]
    assert loss.y is not None
    assert loss.y.log
    assert loss.y.labels == ["0.1", "1"]  # 0.08 to 2.1 spans a decade: powers of ten
    layout = widget.final_bundle()[PLOTLY]["layout"]
    assert layout["yaxis"]["type"] == "log"
    assert "log scale" in layout["annotations"][0]["text"]


def test_the_final_chart_is_the_live_views_grid(sent: Sent) -> None:
    run = Run("three", None)
    for step in range(1, 11):
        run.log(step, {"loss": 1 / step, "accuracy": step / 10, "lr": 0.1})
    bundle = CurvesWidget(run, run_id="three-1").final_bundle()
    layout = bundle[PLOTLY]["layout"]
    # two panels a row, 200 px high with 8 px between them, under a 26 px title line
    assert layout["height"] == 26 + 2 * 200 + 8
    x1, x2, x3 = (layout[f"xaxis{s}"]["domain"] for s in ("", "2", "3"))
    assert x1 == x3  # the third panel starts the second row
    assert x2[0] > x1[1]
    y1, y3 = layout["yaxis"]["domain"], layout["yaxis3"]["domain"]
    assert y3[1] < y1[0]
    assert "grid-template-columns:repeat(2," in bundle["text/html"]
    assert bundle["text/html"].count("<svg") == 3
