"""The run feed, without Keras or a widget: what its observers, the registry and the user are told,
and when. A feeder (``LiveCurves``, ``workbench.run``) only calls ``log`` and ``close``."""

from __future__ import annotations

from typing import Any

import pytest

from workbench.curves import registry
from workbench.curves.feed import Feed
from workbench.curves.store import Run


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []

    def started(self, run: Run) -> None:
        self.calls.append(("started", run.name))

    def updated(self, run: Run, progress: Any, bad: list[Any]) -> None:
        self.calls.append(("updated", (progress["step"], [b.value for b in bad])))

    def ended(self, run: Run, progress: Any) -> None:
        self.calls.append(("ended", (run.state, progress["text"])))


def _feed(interval: float = 3600.0, **kwargs: Any) -> tuple[Feed, Recorder, list[str]]:
    recorder, lines = Recorder(), []
    feed = Feed(
        Run("r"),
        source="run r",
        interval=interval,
        observers=[recorder],
        report=lines.append,
        **kwargs,
    )
    return feed, recorder, lines


def test_observers_hear_start_throttled_updates_and_one_end() -> None:
    feed, recorder, _ = _feed()
    assert feed.run in registry.runs()
    for step in range(1, 101):
        feed.log(step, {"loss": 1 / step})
    # the first log updates at once; the next 99 fall inside the interval
    assert recorder.calls == [("started", "r"), ("updated", (1, []))]
    feed.close("finished")
    feed.close("interrupted")  # idempotent: the first end stands
    assert recorder.calls[-1][0] == "ended"
    assert recorder.calls[-1][1][0] == "finished"
    assert "step 100" in recorder.calls[-1][1][1]
    assert [c for c, _ in recorder.calls].count("ended") == 1


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), float("-inf")])
def test_a_bad_value_is_reported_once_and_shown_at_once(bad: float) -> None:
    stopped: list[list[Any]] = []

    def on_bad(values: list[Any]) -> str:
        stopped.append(values)
        return "stopping (stop_on_nan=True)."

    feed, recorder, lines = _feed(on_bad=on_bad)
    feed.log(1, {"loss": 1.0})
    feed.log(2, {"loss": bad, "accuracy": 0.5})  # inside the interval, but bad: told at once
    feed.log(3, {"loss": bad})  # the same series again: not reported again
    feed.log(4, {"loss": bad}, split="validation")  # another series: reported
    assert lines == [
        f"run r: loss became {bad} at step 2; stopping (stop_on_nan=True).",
        f"run r: val_loss became {bad} at step 4; stopping (stop_on_nan=True).",
    ]
    updates = [data for call, data in recorder.calls if call == "updated"]
    assert updates[1][0] == 2
    assert len(updates[1][1]) == 1
    assert len(stopped) == 2
    assert [b.step for b in feed.bad] == [2, 4]


def test_progress_says_where_the_run_is() -> None:
    feed, _, _ = _feed()
    feed.plan(epochs=2, total_steps=10)
    feed.epoch = 1
    feed.log(7, {"loss": 0.25})
    feed.log(7, {"loss": 0.5}, split="validation", kind="epoch", epoch=1)
    progress = feed.progress()
    assert (progress["epoch"], progress["step"], progress["steps"]) == (2, 7, 10)
    assert progress["text"].startswith("epoch 2/2 · step 7/10 · ETA ")
    assert progress["text"].endswith("loss 0.25 · val_loss 0.5")
    assert progress["eta_seconds"] is not None
    feed.close()
    assert "took " in feed.progress()["text"]
