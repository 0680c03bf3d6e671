"""What a profile shows in a notebook, in a real IPython shell: the report, the breakdown bars and
the timeline as three outputs; a capture made during a fit shown as a line while it converts and
replaced in place (by display id, from the conversion worker) by the profile, or by the error;
a comparison and a listing that render without a kernel's help."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from IPython.core.displaypub import CapturingDisplayPublisher

from tests.profiler.xspace import write_capture
from workbench.profiler.breakdown import CATEGORIES, Breakdown, StepTime
from workbench.profiler.capture import CaptureData
from workbench.profiler.compare import Comparison, OpChange
from workbench.profiler.errors import ProfilerError
from workbench.profiler.steps import StepCapture, window
from workbench.widgets.profile import Profile, ProfileComparison, profiles
from workbench.widgets.profile_output import ProfileOutputs
from workbench.widgets.profile_plot import breakdown_bundle

PLOTLY = "application/vnd.plotly.v1+json"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


@pytest.fixture
def published(shell: Any, monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    """Every display the shell publishes, raw: data, metadata, display id, update or not."""
    publisher = CapturingDisplayPublisher()
    monkeypatch.setattr(shell, "display_pub", publisher)
    return publisher.outputs  # type: ignore[no-any-return]


@pytest.fixture
def capture(tmp_path: Path) -> CaptureData:
    threads = {"python": [("step", 0, 50_000), ("MatMul", 1_000, 20_000)]}
    return CaptureData.open(write_capture(tmp_path / "logs", threads)).load()


def test_a_profile_is_its_report_and_its_timeline(
    shell: Any, published: list[dict[str, Any]], capture: CaptureData
) -> None:
    Profile(capture)._ipython_display_()
    report, timeline = (o["data"] for o in published)  # no steps: no breakdown bars
    assert "no training steps found" in report["text/html"]
    # hand-written events are not TensorFlow ops to xprof: the report says there are none
    assert "No TensorFlow ops in this capture." in report["text/html"]
    assert report["text/plain"].startswith(f"<profile {capture.name}")
    assert WIDGET_VIEW in timeline
    assert "timeline overview" in timeline["text/html"]
    assert published[1]["metadata"]["tf-workbench"]["live"] is True


def test_a_capture_in_a_fit_is_a_line_until_the_worker_replaces_it(
    shell: Any, published: list[dict[str, Any]], capture: CaptureData, tmp_path: Path
) -> None:
    step_capture = StepCapture(window((6, 10)), tmp_path, label="run big")
    step_capture.first_step, step_capture.last_step = 6, 10
    outputs = ProfileOutputs()
    outputs.converting(step_capture)
    assert [o["data"]["text/plain"] for o in published] == [
        "run big: profiled steps 6-10; converting the capture…",
        "",
        "",
    ]
    ids = [o["transient"]["display_id"] for o in published]
    worker = threading.Thread(target=outputs.ready, args=(step_capture, capture))
    worker.start()
    worker.join()
    updates = published[3:]
    assert [o["update"] for o in updates] == [True, True, True]
    assert [o["transient"]["display_id"] for o in updates] == ids  # in place, by display id
    assert "no training steps found" in updates[0]["data"]["text/html"]
    assert updates[1]["data"] == {"text/plain": ""}  # no bars without steps
    assert WIDGET_VIEW in updates[2]["data"]


def test_a_failed_conversion_replaces_the_line_with_why(
    shell: Any, published: list[dict[str, Any]], tmp_path: Path
) -> None:
    step_capture = StepCapture(window(3), tmp_path, label="run small")
    step_capture.first_step = step_capture.last_step = 3
    outputs = ProfileOutputs()
    outputs.converting(step_capture)
    outputs.failed(step_capture, ProfilerError(f"{tmp_path}/x.xplane.pb is truncated"))
    assert published[-1]["update"] is True
    assert published[-1]["data"] == {
        "text/plain": f"run small: {tmp_path}/x.xplane.pb is truncated"
    }


def test_a_hidden_view_shows_nothing_and_reports_failures(
    published: list[dict[str, Any]], tmp_path: Path
) -> None:
    said: list[str] = []
    step_capture = StepCapture(window(3), tmp_path, label="run quiet")
    outputs = ProfileOutputs(show=False, report=said.append)
    outputs.converting(step_capture)
    outputs.failed(step_capture, ProfilerError("boom"))
    assert published == []
    assert said == ["run quiet: boom"]
    assert len(outputs.profiles) == 1


def test_the_breakdown_bars_are_plotly_with_an_svg_beside() -> None:
    parts = dict.fromkeys(CATEGORIES, 0.0) | {"input": 30.0, "host compute": 10.0}
    breakdown = Breakdown(
        steps=[StepTime(str(i), 40.0, parts) for i in (11, 12, 13)], source="xprof"
    )
    bundle = breakdown_bundle(breakdown, "steps of big")
    traces = bundle[PLOTLY]["data"]
    assert [t["name"] for t in traces] == ["input", "host compute"]
    assert list(traces[0]["x"]) == ["11", "12", "13"]
    assert bundle[PLOTLY]["layout"]["barmode"] == "stack"
    assert bundle["text/html"].count("<rect") == 6
    assert "input 75%" in bundle["text/html"]
    assert (
        bundle["text/plain"] == "<step-time breakdown: steps of big: input 75%, host compute 25%>"
    )


def test_a_comparison_says_what_changed_with_and_without_plotly() -> None:
    shares = dict.fromkeys(CATEGORIES, 0.0)
    comparison = Comparison(
        before="slow",
        after="fast",
        before_ms=176.0,
        after_ms=2.1,
        before_shares=shares | {"input": 0.99, "host compute": 0.01},
        after_shares=shares | {"input": 0.03, "host compute": 0.97},
        before_verdict="input-bound",
        after_verdict="compute-bound",
    )
    assert comparison.changes() == [
        "step time 176 ms -> 2.1 ms (83.8x faster)",
        "input wait 99% -> 3%",
        "host compute 1% -> 97%",
    ]
    comparison.ops = [
        OpChange("Iterator::Root::MapAndBatch", "Dataset", 170_000.0, 0.0),
        OpChange("dense/MatMul", "MatMul", 100.0, 40.0),
    ]
    bundle = ProfileComparison(comparison)._repr_mimebundle_()
    layout = bundle[PLOTLY]["layout"]
    assert layout["title"]["text"].startswith("step time 176 ms -&gt; 2.1 ms")
    assert "before: slow · after: fast" in layout["title"]["text"]
    assert list(bundle[PLOTLY]["data"][0]["y"]) == ["before", "after"]
    assert "before: slow" in bundle["text/html"]
    assert "<table class='workbench-profile-compare-ops'" in bundle["text/html"]  # one output
    assert bundle["text/plain"].startswith("<profile comparison: slow -> fast: step time")


def test_a_comparison_in_a_notebook_is_its_chart_then_its_ops(
    shell: Any, published: list[dict[str, Any]]
) -> None:
    shares = dict.fromkeys(CATEGORIES, 0.0) | {"host compute": 1.0}
    comparison = Comparison("a", "b", 10.0, 5.0, shares, shares, "", "")
    comparison.ops = [OpChange("dense/MatMul", "MatMul", 100.0, 40.0)]
    ProfileComparison(comparison)._ipython_display_()
    chart, ops = (o["data"] for o in published)
    assert PLOTLY in chart
    assert "workbench-profile-compare-ops" not in chart["text/html"]
    assert "<td style='text-align:left'>MatMul</td>" in ops["text/html"]
    assert "0.4x" in ops["text/html"]
    assert ops["text/plain"] == "dense/MatMul (MatMul): 100 µs -> 40 µs a step"


def test_profiles_lists_captures_newest_first(tmp_path: Path) -> None:
    write_capture(tmp_path / "a", {"t": [("x", 0, 10)]}, session="2026_01_01_00_00_01")
    newer = write_capture(tmp_path / "b", {"t": [("y", 0, 10)]}, session="2026_01_01_00_00_02")
    (newer / "testhost.xplane.pb").touch()
    found = profiles(tmp_path)
    assert [c.name for c in found.captures] == ["b/2026_01_01_00_00_02", "a/2026_01_01_00_00_01"]
    assert "[0] b/2026_01_01_00_00_02" in repr(found)
    assert "<table class='workbench-profiles'>" in found._repr_html_()
    assert found[0].events[0]["name"] == "y"
    assert profiles(tmp_path / "nothing")._repr_html_() == "<p>No captures found.</p>"


def test_only_the_newest_timelines_stay_live_the_others_become_pictures(
    shell: Any, published: list[dict[str, Any]], capture: CaptureData
) -> None:
    from workbench.widgets import timeline

    timeline._live.clear()
    profiles_shown = [Profile(capture) for _ in range(timeline.KEEP_LIVE + 1)]
    for profile in profiles_shown:
        profile._ipython_display_()
    first = profiles_shown[0].view
    assert first is not None
    assert first.comm is None  # closed: it let its capture go
    assert first.index is None
    (retired,) = [o for o in published if o["update"]]
    assert set(retired["data"]) == {"text/html", "text/plain"}
    assert "timeline overview" in retired["data"]["text/html"]
    shown_id = next(
        o["transient"]["display_id"]
        for o in published
        if not o["update"] and "application/vnd.jupyter.widget-view+json" in o["data"]
    )
    assert retired["transient"]["display_id"] == shown_id  # the first timeline's output
    assert all(p.view is not None and p.view.comm is not None for p in profiles_shown[1:])
